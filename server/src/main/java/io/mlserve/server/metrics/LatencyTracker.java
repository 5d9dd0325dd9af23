package io.mlserve.server.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency distribution: recorded wait-free and allocation-free on the request path into an
 * HdrHistogram {@link Recorder} (microseconds, 3 significant digits); a scrape swaps out the
 * interval histogram and folds it into a cumulative one.
 *
 * <p>{@link #record} is thread-safe and wait-free; {@link #snapshot} is synchronized.
 */
public final class LatencyTracker {
  private static final long MAX_MICROS = 3_600_000_000L; // one hour

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final LongAdder sumNanos = new LongAdder();
  // @GuardedBy("this")
  private final Histogram cumulative = new Histogram(MAX_MICROS, 3);
  // @GuardedBy("this")
  private Histogram interval;

  /** Records one duration. */
  public void record(long nanos) {
    long micros = Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
    recorder.recordValue(micros);
    sumNanos.add(Math.max(0, nanos));
  }

  /** Folds everything recorded so far into the cumulative histogram and returns a copy of it. */
  public synchronized Histogram snapshot() {
    interval = recorder.getIntervalHistogram(interval);
    cumulative.add(interval);
    return cumulative.copy();
  }

  /** Sum of every recorded duration, in seconds. */
  public double sumSeconds() {
    return sumNanos.sum() / 1e9;
  }
}
