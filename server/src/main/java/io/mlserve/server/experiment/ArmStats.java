package io.mlserve.server.experiment;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The accumulators of one arm (version) in one A/B window: requests and errors, the latency of
 * answered requests (HdrHistogram, microseconds, 2 significant digits, up to one hour: about
 * 54 KiB whatever the traffic), and per {@link Metric} the running statistics of the
 * outcomes that feedback brought.
 *
 * <p>Recording a request is lock-free and allocation-free; feedback and snapshots take short
 * locks. This class is thread-safe.
 */
final class ArmStats {
  static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  private final Window window;
  private final String version;
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 2);
  private final RunningStats[] outcomes = new RunningStats[Metric.values().length];
  // @GuardedBy("this")
  private final Histogram latencyTotal = new Histogram(MAX_LATENCY_MICROS, 2);

  ArmStats(Window window, String version) {
    this.window = window;
    this.version = version;
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new RunningStats();
    }
  }

  Window window() {
    return window;
  }

  String version() {
    return version;
  }

  /** An answered request and how long it took. */
  void answered(long latencyNanos) {
    requests.increment();
    latency.recordValue(Math.max(0, Math.min(MAX_LATENCY_MICROS, latencyNanos / 1000)));
  }

  /** A request that failed. */
  void failed() {
    requests.increment();
    errors.increment();
  }

  /** One outcome of {@code metric} from feedback. */
  void outcome(Metric metric, double value) {
    outcomes[metric.ordinal()].add(value);
  }

  long requests() {
    return requests.sum();
  }

  long errors() {
    return errors.sum();
  }

  RunningStats.Moments outcomes(Metric metric) {
    return outcomes[metric.ordinal()].snapshot();
  }

  /** Every latency recorded so far (a copy). */
  synchronized Histogram latencySnapshot() {
    // No recycled interval histogram: reports are rare, and the arm keeps two histograms
    // (about 27 KiB each) instead of three.
    latencyTotal.add(latency.getIntervalHistogram());
    return latencyTotal.copy();
  }
}
