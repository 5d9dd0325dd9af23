package io.mlserve.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.annotation.concurrent.GuardedBy;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Outcomes of the requests of one phase of a run (warm-up or measured window), in microseconds:
 * <ul>
 *   <li>latency: from each request's <em>intended</em> send time to its completion, for every
 *       request whatever its outcome (failures are counted, never dropped from the
 *       distribution);</li>
 *   <li>service time: from the actual send to the completion, which leaves out any delay of the
 *       generator's own;</li>
 *   <li>counts by {@link Outcome}, by model, and by the version that answered.</li>
 * </ul>
 *
 * <p>This class is thread-safe. Recording is wait-free and allocates nothing once a version has
 * been seen (HdrHistogram {@link Recorder}s with a fixed range, {@link LongAdder}s). One reader
 * at a time swaps interval histograms out ({@link #takeInterval}); totals are kept under a lock
 * recorders never touch.
 */
final class PhaseStats {
  /** Latencies above this (one hour) are recorded as one hour rather than lost. */
  static final long MAX_TRACKABLE_US = 3_600_000_000L;

  private final Recorder latency = new Recorder(1, MAX_TRACKABLE_US, 3);
  private final Recorder service = new Recorder(1, MAX_TRACKABLE_US, 3);
  // Successful requests only: under overload the admitted requests' latency, apart from the
  // refusals (which are fast and would pull the percentiles down).
  private final Recorder okLatency = new Recorder(1, MAX_TRACKABLE_US, 3);
  private final Recorder[] modelLatency;
  private final LongAdder[] outcomes = new LongAdder[Outcome.SIZE];
  private final LongAdder[] modelRequests;
  private final LongAdder[] modelErrors;
  private final ConcurrentHashMap<String, LongAdder> versions = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Histogram latencyTotal = new Histogram(1, MAX_TRACKABLE_US, 3);
  @GuardedBy("lock")
  private final Histogram serviceTotal = new Histogram(1, MAX_TRACKABLE_US, 3);
  @GuardedBy("lock")
  private final Histogram okLatencyTotal = new Histogram(1, MAX_TRACKABLE_US, 3);
  @GuardedBy("lock")
  private Histogram okLatencyInterval;
  @GuardedBy("lock")
  private Histogram latencyInterval;
  @GuardedBy("lock")
  private Histogram serviceInterval;

  PhaseStats(int models) {
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
    modelLatency = new Recorder[models];
    modelRequests = new LongAdder[models];
    modelErrors = new LongAdder[models];
    for (int m = 0; m < models; m++) {
      modelLatency[m] = new Recorder(1, MAX_TRACKABLE_US, 3);
      modelRequests[m] = new LongAdder();
      modelErrors[m] = new LongAdder();
    }
  }

  /** Records one finished request. {@code version} may be null. */
  void record(int model, long latencyUs, long serviceUs, int outcome, String version) {
    long l = clamp(latencyUs);
    latency.recordValue(l);
    service.recordValue(clamp(serviceUs));
    modelLatency[model].recordValue(l);
    modelRequests[model].increment();
    outcomes[outcome].increment();
    if (outcome == Outcome.OK) {
      okLatency.recordValue(l);
    }
    if (outcome != Outcome.OK) {
      modelErrors[model].increment();
    } else if (version != null) {
      versions.computeIfAbsent(version, v -> new LongAdder()).increment();
    }
  }

  private static long clamp(long us) {
    return Math.min(Math.max(us, 1), MAX_TRACKABLE_US);
  }

  long requests() {
    long sum = 0;
    for (LongAdder a : outcomes) {
      sum += a.sum();
    }
    return sum;
  }

  long ok() {
    return outcomes[Outcome.OK].sum();
  }

  long errors() {
    return requests() - ok();
  }

  /** Failed requests by outcome label, only those seen, sorted by label. A fresh map. */
  Map<String, Long> errorsByLabel() {
    Map<String, Long> byLabel = new TreeMap<>();
    for (int i = 1; i < outcomes.length; i++) {
      long n = outcomes[i].sum();
      if (n > 0) {
        byLabel.merge(Outcome.label(i), n, Long::sum);
      }
    }
    return byLabel;
  }

  /** Successful answers by the version that gave them, sorted. A fresh map. */
  Map<String, Long> versions() {
    Map<String, Long> out = new TreeMap<>();
    versions.forEach((v, n) -> out.put(v, n.sum()));
    return out;
  }

  long modelRequests(int model) {
    return modelRequests[model].sum();
  }

  long modelErrors(int model) {
    return modelErrors[model].sum();
  }

  /** Latency of one model's requests; read once, at the end (it drains the recorder). */
  Histogram modelLatency(int model) {
    return modelLatency[model].getIntervalHistogram();
  }

  /**
   * Latency recorded since the last call (a copy the caller keeps), folded into the totals. Only
   * one thread at a time should take intervals, or each sees part of the other's.
   */
  Histogram takeInterval() {
    synchronized (lock) {
      latencyInterval = latency.getIntervalHistogram(latencyInterval);
      serviceInterval = service.getIntervalHistogram(serviceInterval);
      okLatencyInterval = okLatency.getIntervalHistogram(okLatencyInterval);
      okLatencyTotal.add(okLatencyInterval);
      latencyTotal.add(latencyInterval);
      serviceTotal.add(serviceInterval);
      return latencyInterval.copy();
    }
  }

  /** Latency at {@code percentile} of everything folded in so far; 0 when nothing was. */
  long totalPercentile(double percentile) {
    synchronized (lock) {
      return latencyTotal.getTotalCount() == 0 ? 0 : latencyTotal.getValueAtPercentile(percentile);
    }
  }

  /**
   * Folds in what is left and returns copies of the {latency, service time, latency of the
   * successful requests} totals.
   */
  Histogram[] totals() {
    synchronized (lock) {
      takeInterval();
      return new Histogram[] {latencyTotal.copy(), serviceTotal.copy(), okLatencyTotal.copy()};
    }
  }
}
