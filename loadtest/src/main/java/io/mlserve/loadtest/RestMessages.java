package io.mlserve.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of mlserve's REST calls: requests built once before a run (request line, headers and
 * JSON body for {@code /api/v1/predict} or {@code /api/v1/batch}), and the {@code "version"} of an
 * answer found by a byte scan, without a JSON tree. Stateless; thread-safe.
 */
final class RestMessages {
  private static final byte[] VERSION_KEY = "\"version\"".getBytes(StandardCharsets.US_ASCII);

  private RestMessages() {}

  /** The whole request, headers and body, in a pooled direct buffer. */
  static ByteBuf request(String path, String authority, byte[] body) {
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + authority
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(head.length + body.length);
    return buf.writeBytes(head).writeBytes(body);
  }

  /** The JSON body of request {@code k}: one row for predict, the batch for batch. */
  static byte[] body(Workload workload, int k, boolean batch) {
    StringBuilder sb = new StringBuilder(256).append("{\"model\":")
        .append(JsonReport.quote(workload.input(k).model()));
    float[][] rows = workload.batch(k);
    if (batch) {
      sb.append(",\"instances\":[");
      for (int r = 0; r < rows.length; r++) {
        appendRow(sb.append(r == 0 ? "" : ","), rows[r]);
      }
      sb.append(']');
    } else {
      appendRow(sb.append(",\"input\":"), rows[0]);
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendRow(StringBuilder sb, float[] row) {
    sb.append('[');
    for (int i = 0; i < row.length; i++) {
      sb.append(i == 0 ? "" : ",").append(row[i]);
    }
    sb.append(']');
  }

  /** The value of the first {@code "version": "..."} in a JSON body, or null. */
  static String version(byte[] body) {
    long span = versionSpan(body, body.length);
    return span < 0 ? null
        : new String(body, (int) (span >>> 32), (int) span, StandardCharsets.UTF_8);
  }

  /**
   * Where the value of the first {@code "version": "..."} in {@code body[0, len)} lies: start in
   * the high 32 bits, length in the low; -1 when there is none.
   */
  static long versionSpan(byte[] body, int len) {
    outer:
    for (int i = 0; i + VERSION_KEY.length < len; i++) {
      for (int j = 0; j < VERSION_KEY.length; j++) {
        if (body[i + j] != VERSION_KEY[j]) {
          continue outer;
        }
      }
      int p = i + VERSION_KEY.length;
      while (p < len && (body[p] == ' ' || body[p] == ':')) {
        p++;
      }
      if (p >= len || body[p] != '"') {
        return -1;
      }
      int end = p + 1;
      while (end < len && body[end] != '"') {
        end++;
      }
      if (end >= len) {
        return -1; // cut off by the scan limit
      }
      return ((long) (p + 1) << 32) | (end - p - 1);
    }
    return -1;
  }
}
