package io.mlserve.server.history;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the persisted history: the points of the series a query selects, folded into steps
 * (a multiple of the resolution) so that an answer has at most
 * {@link HistoryLimits#maxPointsPerSeries()} points per series and
 * {@link HistoryLimits#maxSeriesPerAnswer()} series. Scans a day's segment in 64 KiB reads;
 * records that fail their check, or name an id the dictionary lacks, are skipped.
 *
 * <p>This class is thread-safe (no state beyond its configuration); a read sees the records
 * complete when it opened each segment.
 */
public final class HistoryReader {
  private static final int CHUNK = SegmentFormat.RECORD_BYTES * 5461; // just under 64 KiB

  private final Path root;
  private final HistoryLimits limits;

  HistoryReader(Path root, HistoryLimits limits) {
    this.root = root;
    this.limits = limits;
  }

  /** A series' points: bucket starts (epoch seconds) and values, in time order. */
  public record SeriesPoints(SeriesKey key, long[] seconds, double[] values) {}

  /** An answer: the series found, and whether more matched than an answer holds. */
  public record Result(List<SeriesPoints> series, boolean truncated) {}

  /**
   * The points in {@code [fromSecond, toSecond)} of the series {@code which} selects, at
   * {@code resolution}, folded into steps of {@code stepSeconds} (each step's value folds its
   * buckets as the metric says; the step is labelled by its start).
   */
  public Result read(Resolution resolution, long fromSecond, long toSecond, int stepSeconds,
      Predicate<SeriesKey> which) throws IOException {
    int steps = (int) Math.min(limits.maxPointsPerSeries(),
        Math.max(1, (toSecond - fromSecond + stepSeconds - 1) / stepSeconds));
    Map<SeriesKey, Acc> found = new LinkedHashMap<>();
    boolean truncated = false;
    Path dir = root.resolve(resolution.name());
    for (long day = Math.floorDiv(fromSecond, 86_400L);
        day <= Math.floorDiv(toSecond - 1, 86_400L); day++) {
      String name = SegmentFormat.dayName(day);
      Map<Integer, SeriesKey> dict =
          SegmentFormat.readDictionary(dir.resolve(name + SegmentFormat.DICTIONARY), false);
      Acc[] byId = new Acc[SegmentFormat.MAX_IDS];
      boolean any = false;
      for (Map.Entry<Integer, SeriesKey> e : dict.entrySet()) {
        if (!which.test(e.getValue())) {
          continue;
        }
        Acc a = found.get(e.getValue());
        if (a == null) {
          if (found.size() >= limits.maxSeriesPerAnswer()) {
            truncated = true;
            continue;
          }
          a = new Acc(e.getValue(), steps);
          found.put(e.getValue(), a);
        }
        byId[e.getKey()] = a;
        any = true;
      }
      if (any) {
        scan(dir.resolve(name + SegmentFormat.SEGMENT), byId, fromSecond, toSecond,
            stepSeconds, steps);
      }
    }
    List<SeriesPoints> out = new ArrayList<>();
    for (Acc a : found.values()) {
      out.add(a.points(fromSecond, stepSeconds));
    }
    return new Result(out, truncated);
  }

  private static void scan(Path file, Acc[] byId, long from, long to, int step, int steps)
      throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return;
    }
    try (ch) {
      long end = ch.size() - ch.size() % SegmentFormat.RECORD_BYTES;
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      long pos = 0;
      while (pos < end) {
        buf.clear();
        buf.limit((int) Math.min(CHUNK, end - pos));
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) {
            break;
          }
        }
        int n = buf.position() - buf.position() % SegmentFormat.RECORD_BYTES;
        for (int at = 0; at < n; at += SegmentFormat.RECORD_BYTES) {
          Acc a = byId[SegmentFormat.id(buf, at)];
          if (a == null) {
            continue;
          }
          long t = SegmentFormat.second(buf, at);
          if (t < from || t >= to || !SegmentFormat.valid(buf, at)) {
            continue;
          }
          int i = (int) ((t - from) / step);
          if (i < steps) {
            a.add(i, SegmentFormat.value(buf, at));
          }
        }
        if (n == 0) {
          break;
        }
        pos += n;
      }
    }
  }

  /** The series with a record in the last {@code days} days of any resolution, sorted. */
  public Set<SeriesKey> persistedSeries(List<Resolution> resolutions, long today, int days)
      throws IOException {
    Set<SeriesKey> out = new LinkedHashSet<>();
    for (Resolution r : resolutions) {
      for (long d = today - days + 1; d <= today; d++) {
        Path f = root.resolve(r.name()).resolve(SegmentFormat.dayName(d)
            + SegmentFormat.DICTIONARY);
        if (Files.exists(f)) {
          out.addAll(SegmentFormat.readDictionary(f, false).values());
        }
      }
    }
    return out;
  }

  /** The folding of one series' buckets into steps. Not thread-safe; one read's. */
  private static final class Acc {
    final SeriesKey key;
    final double[] sum;
    final double[] max;
    final int[] count;

    Acc(SeriesKey key, int steps) {
      this.key = key;
      sum = new double[steps];
      max = new double[steps];
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
      count = new int[steps];
    }

    void add(int i, float v) {
      if (Float.isNaN(v)) {
        return;
      }
      sum[i] += v;
      max[i] = Math.max(max[i], v);
      count[i]++;
    }

    SeriesPoints points(long from, int step) {
      int n = 0;
      for (int c : count) {
        n += c > 0 ? 1 : 0;
      }
      long[] t = new long[n];
      double[] v = new double[n];
      int j = 0;
      for (int i = 0; i < count.length; i++) {
        if (count[i] > 0) {
          t[j] = from + (long) i * step;
          v[j++] = key.metric().fold() == Metric.Fold.MAX ? max[i] : sum[i] / count[i];
        }
      }
      return new SeriesPoints(key, t, v);
    }
  }
}
