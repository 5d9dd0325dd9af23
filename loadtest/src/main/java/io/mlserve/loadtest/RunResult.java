package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run's measured window: counts, latency of the successful requests (in
 * microseconds), failures by status code, and whether the run was cut short. Reports are rendered
 * from this ({@link TextReport}, {@link JsonReport}).
 *
 * <p>Immutable once built: the histogram is a private copy and is never handed out, so this class
 * is thread-safe.
 *
 * @param spec the run's spec
 * @param windowNanos length of the measured window
 * @param ok successful requests completed in the window
 * @param errors failed requests completed in the window, by code (codes seen only)
 * @param latencyUs latency of the successful requests in the window, microseconds
 * @param unfinished calls still in flight when the drain after the window gave up
 * @param abortReason why the run stopped before measuring, or null when it measured
 */
record RunResult(
    RunSpec spec,
    long windowNanos,
    long ok,
    Map<Status.Code, Long> errors,
    Histogram latencyUs,
    int unfinished,
    String abortReason) {

  /** Largest share of failed requests a run may have and still pass. */
  static final double MAX_ERROR_RATIO = 0.01;

  static final int EXIT_OK = 0;
  static final int EXIT_TOO_MANY_ERRORS = 1;
  static final int EXIT_UNREACHABLE = 3;

  RunResult {
    requireNonNull(spec, "spec");
    Map<Status.Code, Long> copy = new EnumMap<>(Status.Code.class);
    copy.putAll(requireNonNull(errors, "errors"));
    errors = Collections.unmodifiableMap(copy);
    latencyUs = requireNonNull(latencyUs, "latencyUs").copy();
  }

  static RunResult measured(RunSpec spec, RunStats stats, long windowNanos, int unfinished) {
    return new RunResult(spec, windowNanos, stats.ok(), stats.errorsByCode(), stats.latency(),
        unfinished, null);
  }

  static RunResult aborted(RunSpec spec, RunStats stats, String reason) {
    return new RunResult(spec, 0, stats.ok(), stats.errorsByCode(), stats.latency(), 0,
        requireNonNull(reason, "reason"));
  }

  /** A copy; the result's own histogram stays private. */
  @Override
  public Histogram latencyUs() {
    return latencyUs.copy();
  }

  /** Completed requests in the window, successful or not. */
  long requests() {
    return ok + failed();
  }

  long failed() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double durationSeconds() {
    return windowNanos / 1e9;
  }

  /** Successful requests per second of the measured window; 0 when nothing was measured. */
  double throughputRps() {
    return windowNanos > 0 ? ok / durationSeconds() : 0;
  }

  /** Latency at {@code percentile} (0-100) in microseconds; 0 when no request succeeded. */
  long percentileUs(double percentile) {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getValueAtPercentile(percentile);
  }

  long maxUs() {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMaxValue();
  }

  double meanUs() {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMean();
  }

  boolean aborted() {
    return abortReason != null;
  }

  /**
   * {@value #EXIT_UNREACHABLE} when the run aborted, {@value #EXIT_TOO_MANY_ERRORS} when nothing
   * completed or more than 1% of requests failed, else {@value #EXIT_OK}.
   */
  int exitCode() {
    if (aborted()) {
      return EXIT_UNREACHABLE;
    }
    long requests = requests();
    if (requests == 0 || failed() > requests * MAX_ERROR_RATIO) {
      return EXIT_TOO_MANY_ERRORS;
    }
    return EXIT_OK;
  }
}
