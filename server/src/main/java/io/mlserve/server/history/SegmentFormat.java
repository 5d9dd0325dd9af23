package io.mlserve.server.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The on-disk format of the persisted history, and its checks. Under {@code <store>/.history/}
 * (a name no model can take: model names cannot start with a dot, so the registry and
 * {@code mlctl check} never look at it):
 *
 * <pre>
 * .history/&lt;resolution&gt;/&lt;yyyy-mm-dd&gt;.series   the day's series dictionary: one JSON object a
 *     line, {"id":3,"metric":"p95_ms","model":"m","version":"1.0.0","transport":null},
 *     appended (and fsynced) before any record names the id; ids 0 to 65535, per day
 * .history/&lt;resolution&gt;/&lt;yyyy-mm-dd&gt;.seg      the day's records, appended in time order,
 *     12 bytes each, big-endian:
 *       u16 series id | u16 check | u32 bucket start (epoch seconds, UTC) | f32 value
 *     check: the low 16 bits of the CRC-32 of the other 10 bytes (id, time, value)
 * </pre>
 *
 * One segment per resolution per UTC day: retention deletes whole days (dictionary and records
 * together). A torn tail (a crash mid-append) is repaired on open: the segment is cut to whole
 * records and then back to its last record whose check holds; the dictionary to its last
 * complete line. A reader skips records whose check fails or whose id the dictionary lacks. A
 * series may have two records for one bucket (a bucket flushed at shutdown and continued after
 * a restart): readers fold them like points.
 *
 * <p>Stateless; thread-safe.
 */
final class SegmentFormat {
  static final int RECORD_BYTES = 12;
  static final int MAX_IDS = 65_536;
  static final String SEGMENT = ".seg";
  static final String DICTIONARY = ".series";

  private SegmentFormat() {}

  static String dayName(long day) {
    return LocalDate.ofEpochDay(day).toString();
  }

  /** The epoch day of a segment or dictionary file name, or -1 when it is not one. */
  static long dayOf(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot != 10) {
      return -1;
    }
    try {
      return LocalDate.parse(fileName.substring(0, dot)).toEpochDay();
    } catch (java.time.format.DateTimeParseException e) {
      return -1;
    }
  }

  static void encode(ByteBuffer out, int id, long epochSecond, float value) {
    int pos = out.position();
    out.putShort((short) id).putShort((short) 0).putInt((int) epochSecond).putFloat(value);
    out.putShort(pos + 2, (short) check(out, pos));
  }

  /** Whether the record at {@code pos} of {@code buf} is intact. */
  static boolean valid(ByteBuffer buf, int pos) {
    return (buf.getShort(pos + 2) & 0xffff) == check(buf, pos);
  }

  static int id(ByteBuffer buf, int pos) {
    return buf.getShort(pos) & 0xffff;
  }

  static long second(ByteBuffer buf, int pos) {
    return buf.getInt(pos + 4) & 0xffffffffL;
  }

  static float value(ByteBuffer buf, int pos) {
    return buf.getFloat(pos + 8);
  }

  private static int check(ByteBuffer buf, int pos) {
    CRC32 crc = new CRC32();
    crc.update(buf.slice(pos, 2));
    crc.update(buf.slice(pos + 4, 8));
    return (int) (crc.getValue() & 0xffff);
  }

  /** A dictionary line, newline included. */
  static byte[] dictionaryLine(int id, SeriesKey k) {
    byte[] json = Json.write(g -> {
      g.writeStartObject();
      g.writeNumberField("id", id);
      g.writeStringField("metric", k.metric().wireName());
      g.writeStringField("model", k.model());
      g.writeStringField("version", k.version());
      g.writeStringField("transport", k.transport());
      g.writeEndObject();
    });
    byte[] line = new byte[json.length + 1];
    System.arraycopy(json, 0, line, 0, json.length);
    line[json.length] = '\n';
    return line;
  }

  /**
   * Reads a dictionary: id to series. With {@code repair}, cuts a torn last line off the file.
   * Lines that do not parse are skipped.
   */
  static Map<Integer, SeriesKey> readDictionary(Path file, boolean repair) throws IOException {
    Map<Integer, SeriesKey> out = new HashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (repair && end < bytes.length) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(end);
      }
    }
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (bytes[i] == '\n') {
        parseLine(new String(bytes, start, i - start, StandardCharsets.UTF_8), out);
        start = i + 1;
      }
    }
    return out;
  }

  private static void parseLine(String line, Map<Integer, SeriesKey> out) {
    try {
      JsonNode n = Json.MAPPER.readTree(line);
      Metric m = Metric.parse(n.path("metric").asText());
      int id = n.path("id").asInt(-1);
      if (m == null || id < 0 || id >= MAX_IDS) {
        return;
      }
      out.put(id, new SeriesKey(m, text(n, "model"), text(n, "version"), text(n, "transport")));
    } catch (IOException | IllegalArgumentException e) {
      // a damaged line: its series' records are skipped
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * The length of {@code ch}'s segment up to its last intact record: whole records only, then
   * back over records whose check fails (a torn or zero-filled tail).
   */
  static long intactLength(FileChannel ch) throws IOException {
    long n = ch.size() - ch.size() % RECORD_BYTES;
    ByteBuffer rec = ByteBuffer.allocate(RECORD_BYTES);
    while (n > 0) {
      rec.clear();
      long at = n - RECORD_BYTES;
      while (rec.hasRemaining() && ch.read(rec, at + rec.position()) > 0) {
        // read the whole record
      }
      if (!rec.hasRemaining() && valid(rec, 0)) {
        break;
      }
      n -= RECORD_BYTES;
    }
    return n;
  }
}
