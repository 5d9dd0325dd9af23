package io.mlserve.loadtest;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.x response parser for the load generator's REST client: it reads the status
 * line, the {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} headers, and
 * a body sent with a length, chunked, or until the connection closes; 1xx answers are skipped and
 * 204/304 have no body. It parses in place from the socket's buffers and keeps only the status,
 * whether the connection stays open, and the first bytes of the body, so a steady run allocates
 * nothing per response. (Netty's {@code HttpResponseDecoder} allocated about 1 KB per response,
 * enough to cause young collections in a 13 s run; that is why this exists.)
 *
 * <p>Not thread-safe: one per connection, used on that connection's event loop.
 */
final class HttpResponseParser {
  /** What the parser tells its connection. */
  interface Sink {
    /** Whether the connection still takes bytes (it may have been dropped meanwhile). */
    boolean reading();

    /** Whether a request is waiting for an answer, so a status line may come. */
    boolean awaiting();

    /**
     * A whole response arrived.
     *
     * @param keepAlive whether the connection may carry the next request
     * @param bodyStart the body's first {@code bodyStartLength} bytes (a buffer reused for the
     *     next response: read it before returning)
     */
    void complete(int status, boolean keepAlive, byte[] bodyStart, int bodyStartLength);

    /** The bytes make no sense as an HTTP/1.x response: drop the connection. */
    void malformed();
  }

  private static final int MAX_LINE = 8192;
  private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION = "connection".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE_TOKEN = "close".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(StandardCharsets.US_ASCII);

  private static final int P_STATUS = 0;
  private static final int P_HEADER = 1;
  private static final int P_FIXED = 2;
  private static final int P_CHUNK_SIZE = 3;
  private static final int P_CHUNK_DATA = 4;
  private static final int P_CHUNK_END = 5;
  private static final int P_TRAILER = 6;
  private static final int P_UNTIL_CLOSE = 7;

  private static boolean startsWith(byte[] b, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private final Sink sink;
  private final byte[] scan;
  private final byte[] line = new byte[MAX_LINE];
  /** Where the parser is (P_*), the line so far, and what the head said. */
  private int parse = P_STATUS;
  private int lineLen;
  private int status;
  private boolean keepAlive;
  private int scanned;
  private boolean http10;
  private long contentLength;
  private boolean chunked;
  private boolean connectionClose;
  private boolean connectionKeepAlive;
  private long remaining;

  /** @param keepBytes how many bytes of each body to keep for {@link Sink#complete} */
  HttpResponseParser(Sink sink, int keepBytes) {
    this.sink = sink;
    this.scan = new byte[keepBytes];
  }

  /** A new connection: forget any partial state. */
  void reset() {
    parse = P_STATUS;
    lineLen = 0;
  }

  /** A request was sent: its answer starts afresh. */
  void expect() {
    status = 0;
    keepAlive = true;
    scanned = 0;
  }

  /** Whether the body in progress runs until the connection closes. */
  boolean readsUntilClose() {
    return parse == P_UNTIL_CLOSE;
  }

  /** The connection closed while {@link #readsUntilClose()}: the body is complete. */
  void endOfStream() {
    finish();
  }

  /** Bytes from the socket: parsed in place, as far as they go. */
  void feed(ByteBuf in) {
    while (in.isReadable() && sink.reading()) {
      if (parse == P_FIXED || parse == P_CHUNK_DATA) {
        int n = (int) Math.min(remaining, in.readableBytes());
        body(in, n);
        remaining -= n;
        if (remaining == 0) {
          if (parse == P_FIXED) {
            finish();
          } else {
            parse = P_CHUNK_END;
          }
        }
      } else if (parse == P_UNTIL_CLOSE) {
        body(in, in.readableBytes());
      } else {
        int from = in.readerIndex();
        int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
        int n = (lf < 0 ? in.writerIndex() : lf) - from;
        if (lineLen + n > line.length) {
          sink.malformed(); // a line longer than any sane head
          return;
        }
        in.readBytes(line, lineLen, n);
        lineLen += n;
        if (lf < 0) {
          return; // the rest of the line comes later
        }
        in.skipBytes(1);
        int len = lineLen > 0 && line[lineLen - 1] == '\r' ? lineLen - 1 : lineLen;
        lineLen = 0;
        if (!line(len)) {
          sink.malformed();
          return;
        }
      }
    }
  }

  /** One line of the head, a chunk size or a trailer; false when it makes no sense. */
  private boolean line(int len) {
    switch (parse) {
      case P_STATUS -> {
        if (!sink.awaiting()) {
          return false; // an answer nobody asked for: the stream is out of step
        }
        if (len < 12 || !startsWith(line, len, HTTP_1) || line[8] != ' ') {
          return false;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
          if (line[i] < '0' || line[i] > '9') {
            return false;
          }
          code = code * 10 + line[i] - '0';
        }
        status = code;
        http10 = line[7] == '0';
        contentLength = -1;
        chunked = false;
        connectionClose = false;
        connectionKeepAlive = false;
        parse = P_HEADER;
      }
      case P_HEADER -> {
        if (len > 0) {
          header(len);
        } else if (status >= 100 && status < 200) {
          parse = P_STATUS; // interim answer; the real one follows
        } else {
          keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
          if (status == 204 || status == 304 || (!chunked && contentLength == 0)) {
            finish();
          } else if (chunked) {
            parse = P_CHUNK_SIZE;
          } else if (contentLength > 0) {
            remaining = contentLength;
            parse = P_FIXED;
          } else {
            keepAlive = false; // the body runs to the end of the connection
            parse = P_UNTIL_CLOSE;
          }
        }
      }
      case P_CHUNK_SIZE -> {
        long size = 0;
        int i = 0;
        for (; i < len && line[i] != ';' && line[i] != ' '; i++) {
          int d = Character.digit(line[i], 16);
          if (d < 0 || size > (Long.MAX_VALUE >> 4)) {
            return false;
          }
          size = size * 16 + d;
        }
        if (i == 0) {
          return false;
        }
        if (size == 0) {
          parse = P_TRAILER;
        } else {
          remaining = size;
          parse = P_CHUNK_DATA;
        }
      }
      case P_CHUNK_END -> {
        if (len != 0) {
          return false;
        }
        parse = P_CHUNK_SIZE;
      }
      case P_TRAILER -> {
        if (len == 0) {
          finish();
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private void header(int len) {
    int colon = 0;
    while (colon < len && line[colon] != ':') {
      colon++;
    }
    int v = colon + 1;
    while (v < len && (line[v] == ' ' || line[v] == '\t')) {
      v++;
    }
    int end = len;
    while (end > v && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
      end--;
    }
    if (nameIs(colon, CONTENT_LENGTH)) {
      long n = 0;
      for (int i = v; i < end; i++) {
        if (line[i] < '0' || line[i] > '9' || n > Long.MAX_VALUE / 10) {
          n = -1;
          break;
        }
        n = n * 10 + line[i] - '0';
      }
      contentLength = end > v ? n : -1;
    } else if (nameIs(colon, TRANSFER_ENCODING)) {
      chunked = contains(v, end, CHUNKED);
    } else if (nameIs(colon, CONNECTION)) {
      connectionClose |= contains(v, end, CLOSE_TOKEN);
      connectionKeepAlive |= contains(v, end, KEEP_ALIVE);
    }
  }

  /** Whether {@code line[0, len)} is {@code lower}, ignoring ASCII case. */
  private boolean nameIs(int len, byte[] lower) {
    if (len != lower.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if ((line[i] | 0x20) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code line[from, to)} contains {@code lower}, ignoring ASCII case. */
  private boolean contains(int from, int to, byte[] lower) {
    outer:
    for (int i = from; i + lower.length <= to; i++) {
      for (int j = 0; j < lower.length; j++) {
        if ((line[i + j] | 0x20) != lower[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** {@code n} bytes of body: the first {@code scan.length} kept for the caller. */
  private void body(ByteBuf in, int n) {
    int keep = Math.min(n, scan.length - scanned);
    if (keep > 0) {
      in.readBytes(scan, scanned, keep);
      scanned += keep;
    }
    in.skipBytes(n - keep);
  }

  private void finish() {
    parse = P_STATUS;
    sink.complete(status, keepAlive, scan, scanned);
  }
}
