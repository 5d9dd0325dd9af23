package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run's measured window. Latency covers every request intended in the window,
 * failed and unanswered ones included; {@code serviceUs} the same requests from their actual send.
 * Reports are rendered from this ({@link TextReport}, {@link JsonReport}, {@link HtmlReport}).
 *
 * <p>Immutable once built: histograms are private copies handed out as copies; thread-safe.
 *
 * @param setup how the run was set up
 * @param windowNanos length of the measured window
 * @param ok successful requests of the window
 * @param errors failed requests of the window by outcome label (seen only)
 * @param latencyUs latency from the intended send time, every request, microseconds
 * @param serviceUs latency from the actual send, every request, microseconds
 * @param versions successful answers by the model version that gave them
 * @param models per-model counts, in mix order
 * @param timeline one point per measured second
 * @param generator schedule-keeping of an open loop; null for a closed loop or an aborted run
 * @param unfinished requests still unanswered when the drain gave up (counted as NO_ANSWER)
 * @param abort why the run stopped before measuring, or null when it measured
 * @param okLatencyUs latency of the successful requests only (the admitted ones under overload)
 */
record RunResult(
    RunSetup setup,
    long windowNanos,
    long ok,
    Map<String, Long> errors,
    Histogram latencyUs,
    Histogram serviceUs,
    Map<String, Long> versions,
    List<ModelResult> models,
    List<Timeline.Point> timeline,
    GeneratorReport generator,
    int unfinished,
    Abort abort,
    Histogram okLatencyUs) {

  /** Why a run stopped before measuring, and the exit code that says so. */
  record Abort(int exitCode, String reason) {
    Abort {
      requireNonNull(reason, "reason");
    }
  }

  /** One model of the mix. */
  record ModelResult(String model, long requests, long errors, long p50Us, long p99Us) {}

  RunResult {
    requireNonNull(setup, "setup");
    errors = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(errors, "errors")));
    latencyUs = requireNonNull(latencyUs, "latencyUs").copy();
    serviceUs = requireNonNull(serviceUs, "serviceUs").copy();
    versions = java.util.Collections.unmodifiableMap(new TreeMap<>(
        requireNonNull(versions, "versions")));
    models = List.copyOf(models);
    timeline = List.copyOf(timeline);
    okLatencyUs = requireNonNull(okLatencyUs, "okLatencyUs").copy();
  }

  /** A result without a separate latency of the successful requests (it reads as empty). */
  RunResult(RunSetup setup, long windowNanos, long ok, Map<String, Long> errors,
      Histogram latencyUs, Histogram serviceUs, Map<String, Long> versions,
      List<ModelResult> models, List<Timeline.Point> timeline, GeneratorReport generator,
      int unfinished, Abort abort) {
    this(setup, windowNanos, ok, errors, latencyUs, serviceUs, versions, models, timeline,
        generator, unfinished, abort, new Histogram(1, PhaseStats.MAX_TRACKABLE_US, 3));
  }

  @Override
  public Histogram okLatencyUs() {
    return okLatencyUs.copy();
  }

  /** Latency of the successful requests at {@code percentile}, microseconds; 0 when none. */
  long okPercentileUs(double percentile) {
    return okLatencyUs.getTotalCount() == 0 ? 0 : okLatencyUs.getValueAtPercentile(percentile);
  }

  /** A run that never measured: the target was unreachable ({@link Slo#EXIT_UNREACHABLE}). */
  static RunResult aborted(RunSetup setup, Map<String, Long> errors, String reason) {
    return aborted(setup, errors, new Abort(Slo.EXIT_UNREACHABLE, reason));
  }

  static RunResult aborted(RunSetup setup, Map<String, Long> errors, Abort abort) {
    Histogram empty = new Histogram(1, PhaseStats.MAX_TRACKABLE_US, 3);
    return new RunResult(setup, 0, 0, errors, empty, empty, Map.of(), List.of(), List.of(), null,
        0, requireNonNull(abort, "abort"));
  }

  /** Why the run stopped before measuring, or null when it measured. */
  String abortReason() {
    return abort == null ? null : abort.reason();
  }

  /** The exit code of an aborted run ({@link Slo#EXIT_MET} when it measured). */
  int abortExitCode() {
    return abort == null ? Slo.EXIT_MET : abort.exitCode();
  }

  @Override
  public Histogram latencyUs() {
    return latencyUs.copy();
  }

  @Override
  public Histogram serviceUs() {
    return serviceUs.copy();
  }

  /** Requests of the window, successful or not. */
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

  /** Latency (from intended send) at {@code percentile} (0-100), microseconds; 0 when none. */
  long percentileUs(double percentile) {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getValueAtPercentile(percentile);
  }

  long servicePercentileUs(double percentile) {
    return serviceUs.getTotalCount() == 0 ? 0 : serviceUs.getValueAtPercentile(percentile);
  }

  long maxUs() {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMaxValue();
  }

  double meanUs() {
    return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMean();
  }

  boolean aborted() {
    return abort != null;
  }

  boolean generatorBehind() {
    return generator != null && generator.behind();
  }
}
