package io.mlserve.server.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency distribution: recorded wait-free and allocation-free on the request path into an
 * HdrHistogram {@link Recorder} (microseconds, 3 significant digits); a scrape swaps out the
 * interval histogram and folds it into a cumulative one.
 *
 * <p>A sampler (the dashboard's {@code history.MetricsSampler}) reads the quantiles of each
 * interval with {@link #sampleQuantiles}: it swaps the recorder's interval histogram out (no copy
 * of the 190 KB cumulative one), and what a scrape drained in between is kept for it in a second
 * histogram, made on the first scrape after a sample, so that neither reader misses a value.
 *
 * <p>{@link #record} is thread-safe and wait-free; {@link #snapshot} and
 * {@link #sampleQuantiles} are synchronized.
 */
public final class LatencyTracker {
  private static final long MAX_MICROS = 3_600_000_000L; // one hour

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final LongAdder sumNanos = new LongAdder();
  // @GuardedBy("this")
  private final Histogram cumulative = new Histogram(MAX_MICROS, 3);
  // @GuardedBy("this")
  private Histogram interval;
  // @GuardedBy("this") whether sampleQuantiles has been called: snapshot() then keeps for it
  private boolean sampling;
  // @GuardedBy("this") what snapshot() drained since the last sample; made when first needed
  private Histogram unsampled;

  /** Records one duration. */
  public void record(long nanos) {
    long micros = Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
    recorder.recordValue(micros);
    sumNanos.add(Math.max(0, nanos));
  }

  /** Records {@code count} durations of {@code nanos} each (one histogram update). */
  public void record(long nanos, int count) {
    if (count <= 0) {
      return;
    }
    long micros = Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
    recorder.recordValueWithCount(micros, count);
    sumNanos.add(Math.max(0, nanos) * count);
  }

  /** Folds everything recorded so far into the cumulative histogram and returns a copy of it. */
  public synchronized Histogram snapshot() {
    drain();
    if (sampling && interval.getTotalCount() > 0) {
      if (unsampled == null) {
        unsampled = new Histogram(MAX_MICROS, 3);
      }
      unsampled.add(interval);
    }
    return cumulative.copy();
  }

  private void drain() {
    interval = recorder.getIntervalHistogram(interval);
    cumulative.add(interval);
  }

  /**
   * The quantiles of the durations recorded since the previous call (the first call: since
   * start), in microseconds, into {@code outMicros}; they also go into the cumulative histogram.
   *
   * @param percentiles each 0 to 100
   * @return how many durations the interval holds (0: {@code outMicros} is left as it was)
   */
  public synchronized long sampleQuantiles(double[] percentiles, long[] outMicros) {
    sampling = true;
    drain();
    Histogram h = interval;
    if (unsampled != null && unsampled.getTotalCount() > 0) {
      unsampled.add(interval);
      h = unsampled;
    }
    long n = h.getTotalCount();
    if (n > 0) {
      for (int i = 0; i < percentiles.length; i++) {
        outMicros[i] = h.getValueAtPercentile(percentiles[i]);
      }
    }
    if (h == unsampled) {
      unsampled.reset();
    }
    return n;
  }

  /** Sum of every recorded duration, in seconds. */
  public double sumSeconds() {
    return sumNanos.sum() / 1e9;
  }
}
