package io.mlserve.server.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@code seconds} seconds of every series at one-second resolution, in memory: a slot
 * per second (indexed by epoch second modulo the window), one {@code double} per series and
 * slot, NaN where a series has no value. Bounded: at most {@code maxSeries} series
 * ({@code maxSeries * seconds * 8} bytes of values); a new series past the cap takes the place
 * of one that has had no value for the whole window, else it is left out (logged once).
 *
 * <p>This class is thread-safe: the sampler writes, HTTP handlers read; every method holds the
 * lock for a copy of at most {@code maxSeries * seconds} values.
 */
public final class LiveRing {
  private static final Logger log = LoggerFactory.getLogger(LiveRing.class);

  private final int seconds;
  private final int maxSeries;
  private final Object lock = new Object();
  // @GuardedBy("lock")
  private final long[] slotSecond;
  // @GuardedBy("lock") insertion order is the order reads list series in
  private final Map<SeriesKey, Series> series = new LinkedHashMap<>();
  // @GuardedBy("lock")
  private long latest = Long.MIN_VALUE;
  // @GuardedBy("lock")
  private boolean warnedFull;

  private static final class Series {
    final double[] values;
    long lastSecond;

    Series(int seconds) {
      values = new double[seconds];
      Arrays.fill(values, Double.NaN);
    }
  }

  /** A copy of a window: epoch seconds, and for each series its values (NaN: none). */
  public record Window(long[] seconds, Map<SeriesKey, double[]> values) {}

  /**
   * @param seconds the window, 10 to 3600
   * @param maxSeries the most series held, 1 to 100000
   */
  public LiveRing(int seconds, int maxSeries) {
    if (seconds < 10 || seconds > 3600) {
      throw new IllegalArgumentException("seconds must be 10 to 3600, got " + seconds);
    }
    if (maxSeries < 1 || maxSeries > 100_000) {
      throw new IllegalArgumentException("maxSeries must be 1 to 100000, got " + maxSeries);
    }
    this.seconds = seconds;
    this.maxSeries = maxSeries;
    this.slotSecond = new long[seconds];
    Arrays.fill(slotSecond, Long.MIN_VALUE);
  }

  public int seconds() {
    return seconds;
  }

  /**
   * Stores one second's points. A second not after the latest stored is ignored, unless it is
   * more than {@code 2} seconds before it: the wall clock was set back, and the ring starts over.
   */
  public void put(long epochSecond, List<Point> points) {
    synchronized (lock) {
      if (epochSecond <= latest) {
        if (latest - epochSecond <= 2) {
          return;
        }
        series.clear();
        Arrays.fill(slotSecond, Long.MIN_VALUE);
      }
      int slot = slot(epochSecond);
      slotSecond[slot] = epochSecond;
      for (Series s : series.values()) {
        s.values[slot] = Double.NaN;
      }
      latest = epochSecond;
      for (Point p : points) {
        Series s = series.get(p.key());
        if (s == null) {
          s = admit(p.key(), epochSecond);
          if (s == null) {
            continue;
          }
        }
        s.values[slot] = p.value();
        s.lastSecond = epochSecond;
      }
    }
  }

  // @GuardedBy("lock")
  private Series admit(SeriesKey key, long now) {
    if (series.size() >= maxSeries) {
      SeriesKey stale = null;
      for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
        if (now - e.getValue().lastSecond >= seconds) {
          stale = e.getKey();
          break;
        }
      }
      if (stale == null) {
        if (!warnedFull) {
          warnedFull = true;
          log.warn("live metrics: {} series held, the most allowed; new series (first: {} of"
              + " {}) are left out of the live view until old ones go idle", maxSeries,
              key.metric().wireName(), key.model() != null ? key.model() : "the process");
        }
        return null;
      }
      series.remove(stale);
    }
    Series s = new Series(seconds);
    series.put(key, s);
    return s;
  }

  private int slot(long epochSecond) {
    return (int) Math.floorMod(epochSecond, (long) seconds);
  }

  /** The latest second stored, or {@code Long.MIN_VALUE} before the first. */
  public long latestSecond() {
    synchronized (lock) {
      return latest;
    }
  }

  /**
   * The last {@code n} seconds (up to the latest stored) of the series {@code which} accepts
   * that have a value in that span.
   */
  public Window read(int n, Predicate<SeriesKey> which) {
    int len = Math.max(1, Math.min(n, seconds));
    synchronized (lock) {
      long[] ts = new long[len];
      Map<SeriesKey, double[]> out = new LinkedHashMap<>();
      if (latest == Long.MIN_VALUE) {
        return new Window(new long[0], out);
      }
      long first = latest - len + 1;
      for (int i = 0; i < len; i++) {
        ts[i] = first + i;
      }
      for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
        if (e.getValue().lastSecond < first || !which.test(e.getKey())) {
          continue;
        }
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
          int slot = slot(ts[i]);
          v[i] = slotSecond[slot] == ts[i] ? e.getValue().values[slot] : Double.NaN;
        }
        out.put(e.getKey(), v);
      }
      return new Window(ts, out);
    }
  }

  /** Every series held, in the order first seen. */
  public List<SeriesKey> keys() {
    synchronized (lock) {
      return new ArrayList<>(series.keySet());
    }
  }
}
