package io.mlserve.server.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds one-second points into buckets of one {@link Resolution}: a bucket closes when a point
 * of a later bucket arrives, and yields one {@link Bucketed} per series that was active in it or
 * in the bucket before (so a version that goes idle gets one bucket of zeros, then nothing).
 * Memory: one accumulator per series of the open bucket.
 *
 * <p>Not thread-safe: the sampler's thread owns it.
 */
final class Downsampler {
  private final Resolution resolution;
  private long bucket = Long.MIN_VALUE;
  private Map<SeriesKey, Acc> open = new HashMap<>();
  private Set<SeriesKey> activeBefore = Set.of();

  private static final class Acc {
    double sum;
    double max = Double.NEGATIVE_INFINITY;
    int count;
    boolean active;
  }

  Downsampler(Resolution resolution) {
    this.resolution = resolution;
  }

  Resolution resolution() {
    return resolution;
  }

  /** Adds one second's points; returns the buckets this closed (empty when none). */
  List<Bucketed> add(long epochSecond, List<Point> points) {
    long b = epochSecond - Math.floorMod(epochSecond, (long) resolution.seconds());
    List<Bucketed> closed = List.of();
    if (b != bucket) {
      closed = b > bucket ? close() : List.of();
      bucket = b;
    }
    for (Point p : points) {
      if (Double.isNaN(p.value())) {
        continue;
      }
      Acc a = open.computeIfAbsent(p.key(), k -> new Acc());
      a.sum += p.value();
      a.max = Math.max(a.max, p.value());
      a.count++;
      a.active |= p.active();
    }
    return closed;
  }

  /** Closes the open bucket (on shutdown) and returns what it held. */
  List<Bucketed> close() {
    List<Bucketed> out = new ArrayList<>();
    Set<SeriesKey> active = new HashSet<>();
    for (Map.Entry<SeriesKey, Acc> e : open.entrySet()) {
      Acc a = e.getValue();
      if (a.count == 0) {
        continue;
      }
      if (a.active) {
        active.add(e.getKey());
      } else if (!activeBefore.contains(e.getKey())) {
        continue;
      }
      double v = e.getKey().metric().fold() == Metric.Fold.MAX ? a.max : a.sum / a.count;
      out.add(new Bucketed(e.getKey(), bucket, (float) v));
    }
    activeBefore = active;
    open = new HashMap<>();
    return out;
  }
}
