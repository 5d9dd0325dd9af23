package io.mlserve.server.history;

import io.mlserve.store.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the buckets of one resolution to that day's segment and dictionary
 * ({@link SegmentFormat}), one day open at a time. Bounded: at most {@code maxSegmentBytes} per
 * segment and {@code maxSeries} series per day; what does not fit is dropped (logged once a
 * day). A failed append leaves no trace: the segment and dictionary are cut back to where they
 * were, so the next append starts on a record boundary. Every write goes through
 * {@link FileOps} (a test injects a full disk).
 *
 * <p>Not thread-safe: the sampler's thread owns it.
 */
final class SegmentLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);

  private final Path dir;
  private final String where;
  private final FileOps ops;
  private final long maxSegmentBytes;
  private final int maxSeries;
  private long day = Long.MIN_VALUE;
  private FileChannel segment;
  private FileChannel dictionary;
  private long segmentBytes;
  private long dictionaryBytes;
  private final Map<SeriesKey, Integer> ids = new HashMap<>();
  private int nextId;
  private boolean warnedBytes;
  private boolean warnedSeries;
  private boolean dirty;

  /**
   * @param where the directory relative to the store, for log lines (never an absolute path)
   */
  SegmentLog(Path dir, String where, FileOps ops, long maxSegmentBytes, int maxSeries) {
    this.dir = dir;
    this.where = where;
    this.ops = ops;
    this.maxSegmentBytes = maxSegmentBytes - maxSegmentBytes % SegmentFormat.RECORD_BYTES;
    this.maxSeries = Math.min(maxSeries, SegmentFormat.MAX_IDS);
  }

  /** The day whose files are open, or {@code Long.MIN_VALUE}. */
  long openDay() {
    return day;
  }

  /**
   * Appends one closed bucket's values (all of one day).
   *
   * @return the bytes added to the disk
   */
  long append(List<Bucketed> values) throws IOException {
    if (values.isEmpty()) {
      return 0;
    }
    long d = Math.floorDiv(values.get(0).epochSecond(), 86_400L);
    if (d != day) {
      open(d);
    }
    List<SeriesKey> added = new ArrayList<>();
    List<byte[]> newLines = new ArrayList<>();
    int linesBytes = 0;
    ByteBuffer recs = ByteBuffer.allocate(values.size() * SegmentFormat.RECORD_BYTES);
    long room = maxSegmentBytes - segmentBytes;
    for (Bucketed b : values) {
      if (recs.position() + SegmentFormat.RECORD_BYTES > room) {
        if (!warnedBytes) {
          warnedBytes = true;
          log.warn("history: {}/{} reached its cap of {} bytes; the rest of the day's {} points"
              + " are dropped", where, SegmentFormat.dayName(day) + SegmentFormat.SEGMENT,
              maxSegmentBytes, where);
        }
        break;
      }
      Integer id = ids.get(b.key());
      if (id == null) {
        if (nextId >= maxSeries) {
          if (!warnedSeries) {
            warnedSeries = true;
            log.warn("history: {} holds {} series today, the most allowed; points of new"
                + " series are not kept until tomorrow", where, maxSeries);
          }
          continue;
        }
        id = nextId++;
        ids.put(b.key(), id);
        added.add(b.key());
        byte[] line = SegmentFormat.dictionaryLine(id, b.key());
        newLines.add(line);
        linesBytes += line.length;
      }
      SegmentFormat.encode(recs, id, b.epochSecond(), b.value());
    }
    recs.flip();
    long before = segmentBytes;
    long dictBefore = dictionaryBytes;
    try {
      if (!newLines.isEmpty()) {
        ByteBuffer lines = ByteBuffer.allocate(linesBytes);
        newLines.forEach(lines::put);
        lines.flip();
        ops.write(dictionary, lines, dictionaryBytes);
        dictionaryBytes += linesBytes;
        ops.force(dictionary); // an id is durable before any record names it
      }
      int n = recs.remaining();
      ops.write(segment, recs, segmentBytes);
      segmentBytes += n;
      dirty = true;
      return linesBytes + n;
    } catch (IOException | RuntimeException e) {
      added.forEach(ids::remove);
      nextId -= added.size();
      segmentBytes = before;
      dictionaryBytes = dictBefore;
      cutBack();
      throw e;
    }
  }

  private void cutBack() {
    try {
      segment.truncate(segmentBytes);
      dictionary.truncate(dictionaryBytes);
    } catch (IOException e) {
      closeQuietly(); // reopened (and repaired) by the next append
      day = Long.MIN_VALUE;
    }
  }

  /** Forces what was appended since the last call to disk. */
  void force() throws IOException {
    if (dirty && segment != null) {
      ops.force(segment);
      dirty = false;
    }
  }

  private void open(long d) throws IOException {
    close();
    ids.clear();
    warnedBytes = false;
    warnedSeries = false;
    ops.createDirectories(dir);
    String name = SegmentFormat.dayName(d);
    Path dictFile = dir.resolve(name + SegmentFormat.DICTIONARY);
    Map<Integer, SeriesKey> known = SegmentFormat.readDictionary(dictFile, true);
    FileChannel dictCh = null;
    FileChannel segCh = null;
    try {
      dictCh = FileChannel.open(dictFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      segCh = FileChannel.open(dir.resolve(name + SegmentFormat.SEGMENT),
          StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      long size = segCh.size();
      long intact = SegmentFormat.intactLength(segCh);
      if (intact < size) {
        segCh.truncate(intact);
        log.info("history: repaired the torn tail of {}/{}{}: dropped {} bytes", where, name,
            SegmentFormat.SEGMENT, size - intact);
      }
      // the id of a damaged line is never reused, so no record is read as another series'
      nextId = 0;
      for (Map.Entry<Integer, SeriesKey> e : known.entrySet()) {
        ids.put(e.getValue(), e.getKey());
        nextId = Math.max(nextId, e.getKey() + 1);
      }
      segment = segCh;
      dictionary = dictCh;
      segmentBytes = intact;
      dictionaryBytes = dictCh.size();
      day = d;
    } catch (IOException | RuntimeException e) {
      if (segCh != null) {
        segCh.close();
      }
      if (dictCh != null) {
        dictCh.close();
      }
      throw e;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException ignored) {
      // the channels are released either way
    }
  }

  /** Forces and closes the open day's files. */
  @Override
  public void close() throws IOException {
    try {
      if (segment != null) {
        force();
      }
    } finally {
      if (segment != null) {
        segment.close();
      }
      if (dictionary != null) {
        dictionary.close();
      }
      segment = null;
      dictionary = null;
      day = Long.MIN_VALUE;
    }
  }
}
