package io.mlserve.server.model;

import io.mlserve.errors.ClientText;
import io.mlserve.server.batch.BackgroundPriority;
import io.mlserve.server.batch.BatchSettings;
import io.mlserve.server.batch.DynamicBatcher;
import io.mlserve.server.batch.ScalingSettings;
import io.mlserve.server.batch.ScalingWindows;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.batch.WakeDeferral;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a registered version into a {@link ServedModel}: load with the engine for its format,
 * one runner per instance, warm-up and health check on every runner, then a started batcher.
 * Whatever fails, everything loaded so far is closed again and the exception names the step.
 *
 * <p>This class is thread-safe; loads of different versions may run concurrently.
 */
public final class ModelLoader {
  private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

  private final List<InferenceEngine> engines;
  private final Ticker ticker;
  private final Function<ServingConfig, ServingConfig> servingOverride;
  private final MetricsRegistry metrics;
  private final Telemetry telemetry;
  private final WakeDeferral wakeDeferral;
  /** Where loads on demand (after an idle unload) and idle drains run. */
  private final Executor reloads;

  /** A thread per task: loads and drains are rare, long and bounded by the served versions. */
  private static final Executor THREAD_PER_TASK = r -> {
    Thread t = new Thread(r, "mlserve-idle-load");
    t.setDaemon(true);
    t.start();
  };

  private final ScalingWindows scalingWindows;

  /**
   * @param servingOverride applied to each manifest's serving config (operator flags such as
   *     turning batching off); identity for none
   * @param metrics where each loaded version's metrics live
   * @param telemetry spans and OpenTelemetry metrics
   */
  public ModelLoader(
      List<InferenceEngine> engines,
      Ticker ticker,
      Function<ServingConfig, ServingConfig> servingOverride,
      MetricsRegistry metrics,
      Telemetry telemetry) {
    this(engines, ticker, servingOverride, metrics, telemetry, WakeDeferral.NONE);
  }

  /**
   * @param wakeDeferral given to every batcher: how a submit from a transport's event loop defers
   *     waking a worker to the end of the loop's turn (the server passes its event-loop lookup)
   */
  public ModelLoader(
      List<InferenceEngine> engines,
      Ticker ticker,
      Function<ServingConfig, ServingConfig> servingOverride,
      MetricsRegistry metrics,
      Telemetry telemetry,
      WakeDeferral wakeDeferral) {
    this(engines, ticker, servingOverride, metrics, telemetry, wakeDeferral,
        ScalingWindows.DEFAULT);
  }

  /**
   * @param scalingWindows how long a load must last before an autoscaling version's worker count
   *     follows it (operator flags)
   */
  public ModelLoader(
      List<InferenceEngine> engines,
      Ticker ticker,
      Function<ServingConfig, ServingConfig> servingOverride,
      MetricsRegistry metrics,
      Telemetry telemetry,
      WakeDeferral wakeDeferral,
      ScalingWindows scalingWindows) {
    this(engines, ticker, servingOverride, metrics, telemetry, wakeDeferral, scalingWindows,
        THREAD_PER_TASK);
  }

  private ModelLoader(
      List<InferenceEngine> engines,
      Ticker ticker,
      Function<ServingConfig, ServingConfig> servingOverride,
      MetricsRegistry metrics,
      Telemetry telemetry,
      WakeDeferral wakeDeferral,
      ScalingWindows scalingWindows,
      Executor reloads) {
    this.scalingWindows = Objects.requireNonNull(scalingWindows, "scalingWindows");
    this.reloads = Objects.requireNonNull(reloads, "reloads");
    this.wakeDeferral = Objects.requireNonNull(wakeDeferral, "wakeDeferral");
    this.engines = List.copyOf(engines);
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.servingOverride = Objects.requireNonNull(servingOverride, "servingOverride");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
  }

  /**
   * This loader with the versions it loads running their loads on demand (after an idle unload)
   * and their idle drains on {@code reloads} instead of a thread each (tests: a queue they run).
   */
  public ModelLoader withReloadExecutor(Executor reloads) {
    return new ModelLoader(engines, ticker, servingOverride, metrics, telemetry, wakeDeferral,
        scalingWindows, reloads);
  }

  /**
   * Loads, warms and health-checks a version.
   *
   * @throws ModelLoadException naming the version and the failed step
   */
  public ServedModel load(Path versionDir, Manifest manifest) throws ModelLoadException {
    return load(versionDir, manifest, false, false);
  }

  /**
   * Loads, warms and health-checks a dedicated instance of a version for background work beside
   * serving (a shadow, an evaluation): its own batcher with ONE instance of one intra-op thread,
   * whatever the manifest says, so it takes at most one core, and requests queueing behind each
   * other while that instance is busy run in larger and cheaper batches; its own metrics,
   * outside {@code /metrics}' per version series, so its requests never count as the version's
   * traffic; and its worker at the lowest CPU priority ({@link BackgroundPriority}): on a
   * saturated host it yields to serving (a shadow's queue then fills and the mirror drops
   * copies, counted) and on an idle one it runs at full speed.
   *
   * @throws ModelLoadException naming the version and the failed step
   */
  public ServedModel loadBackground(Path versionDir, Manifest manifest)
      throws ModelLoadException {
    return load(versionDir, manifest, false, true);
  }

  /**
   * Checks a version as {@link #load} would (engine load, warm-up at every batch size, health
   * check, golden examples) on one instance, whatever the manifest's {@code instances}, and frees
   * it again: validating a registration costs one instance's memory, not the served count.
   *
   * @throws ModelLoadException naming the version and the failed step
   */
  public void check(Path versionDir, Manifest manifest) throws ModelLoadException {
    load(versionDir, manifest, true, false);
  }

  private ServedModel load(Path versionDir, Manifest manifest, boolean checkOnly,
      boolean background) throws ModelLoadException {
    Built first = build(versionDir, manifest, checkOnly, background);
    if (first == null) {
      return null;
    }
    ModelMetrics modelMetrics = first.metrics();
    int idleSeconds = servingOverride.apply(manifest.serving()).idleUnloadSecondsOrNever();
    return new ServedModel(first.served(), first.engine(),
        () -> build(versionDir, manifest, false, background).engine(), reloads,
        first.validator(), modelMetrics, telemetry, ticker, idleSeconds);
  }

  /** One load's results: the manifest served, the engine, its validator and metrics. */
  private record Built(Manifest served, ServedEngine engine, RequestValidator validator,
      ModelMetrics metrics) {}

  /** Loads, warms and checks an engine; null for {@code checkOnly} (all freed again). */
  private Built build(Path versionDir, Manifest manifest, boolean checkOnly,
      boolean background) throws ModelLoadException {
    String label = manifest.name() + ":" + manifest.version();
    InferenceEngine engine =
        engines.stream()
            .filter(e -> e.supports(manifest.format()))
            .findFirst()
            .orElseThrow(
                () -> new ModelLoadException(
                    label + ": no engine for format '" + manifest.format() + "'", null));
    ServingConfig serving = servingOverride.apply(manifest.serving());
    if (background) {
      serving = serving.withInstances(1).withThreadsPerInstance(1).withScaling(null, null);
    }
    int instances = checkOnly ? 1 : serving.initialInstances();
    // With a signature in the manifest, a bad one or a warm-up too large is refused before
    // anything is loaded.
    Prepared before = manifest.signature().inputs().isEmpty() ? null
        : prepare(label, manifest, versionDir, serving, true);
    long t0 = System.nanoTime();
    LoadedModel loaded;
    try {
      loaded = engine.load(versionDir, manifest);
    } catch (Exception e) {
      throw new ModelLoadException(label + ": load failed: " + reason(e), e);
    }
    // The artifact's own signature (an ONNX graph's, checked against the manifest's by the
    // engine) is served when it has one; TorchScript declares none and serves the manifest's.
    Manifest served = loaded.signature().map(sig -> withSignature(manifest, sig))
        .orElse(manifest);
    Prepared prepared = before;
    if (before == null || served != manifest || !loaded.dynamicBatch()) {
      try {
        prepared = prepare(label, served, versionDir, serving, loaded.dynamicBatch());
      } catch (ModelLoadException | RuntimeException e) {
        loaded.close();
        throw e;
      }
    }
    RequestValidator validator = prepared.validator();
    HealthCheck check = prepared.check();
    int maxBatch = prepared.maxBatch();
    List<ModelRunner> runners = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        ModelRunner r = loaded.newRunner(serving.threadsPerInstance());
        runners.add(padded(loaded, r, maxBatch));
      }
      for (ModelRunner r : runners) {
        check.run(r);
      }
      if (checkOnly) {
        runners.forEach(ModelRunner::close);
        loaded.close();
        return null;
      }
      BatchSettings settings =
          new BatchSettings(
              maxBatch, Math.multiplyExact(serving.maxQueueDelayUs(), 1000L),
              serving.queueCapacity(), Math.multiplyExact(serving.queueTimeoutUs(), 1000L));
      ModelMetrics modelMetrics = background
          ? new ModelMetrics(manifest.name(), manifest.version())
          : metrics.forVersion(manifest.name(), manifest.version());
      ScalingSettings scaling =
          new ScalingSettings(serving.scalingMin(), serving.scalingMax(), scalingWindows);
      int threads = serving.threadsPerInstance();
      DynamicBatcher batcher = new DynamicBatcher(label, settings, runners, scaling,
          () -> checkedRunner(loaded, threads, maxBatch, check), ticker, modelMetrics,
          wakeDeferral);
      if (background) {
        batcher.start(() -> BackgroundPriority.applyToCurrentThread().ifPresent(
            why -> log.warn("{}: the background worker keeps normal priority: {}", label, why)));
      } else {
        batcher.start();
      }
      log.info(
          "{}: {}loaded, warmed and checked in {} ms ({} instance(s), {} to {}, on {}, max batch"
              + " {}, delay {} us, queue {} requests / {} us)",
          label, background ? "background instance " : "", (System.nanoTime() - t0) / 1_000_000,
          runners.size(), scaling.min(), scaling.max(), loaded.device(), maxBatch,
          serving.maxQueueDelayUs(), serving.queueCapacity(), serving.queueTimeoutUs());
      return new Built(served, new ServedEngine(label, loaded, runners, batcher), validator,
          modelMetrics);
    } catch (Exception e) {
      runners.forEach(ModelRunner::close);
      loaded.close();
      if (e instanceof ModelLoadException mle) {
        throw mle;
      }
      throw new ModelLoadException(label + ": " + reason(e), e);
    }
  }

  /** {@code r}, padding its batches to {@link BucketedRunner}'s sizes where the engine needs it. */
  private static ModelRunner padded(LoadedModel loaded, ModelRunner r, int maxBatch) {
    return maxBatch > 1 && loaded.paddedBatches() ? new BucketedRunner(r, maxBatch) : r;
  }

  /** A runner for a worker added by autoscaling, warmed and checked like the first ones. */
  private static ModelRunner checkedRunner(
      LoadedModel loaded, int threads, int maxBatch, HealthCheck check) {
    ModelRunner r = loaded.newRunner(threads);
    ModelRunner runner = padded(loaded, r, maxBatch);
    try {
      check.run(runner);
      return runner;
    } catch (Exception e) {
      runner.close();
      throw new IllegalStateException("health check failed: " + reason(e), e);
    }
  }
  /** What serving a signature needs, made before any runner. */
  private record Prepared(RequestValidator validator, HealthCheck check, int maxBatch) {}

  /**
   * The request validator, the batch limit and the health check (which reads the examples and
   * bounds the warm-up's memory) for a signature.
   *
   * @param dynamicBatch false when the artifact fixes its batch dimension: max batch 1
   */
  private static Prepared prepare(String label, Manifest manifest, Path versionDir,
      ServingConfig serving, boolean dynamicBatch) throws ModelLoadException {
    RequestValidator validator;
    try {
      validator = new RequestValidator(label, manifest.signature().inputs());
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(label + ": bad signature: " + reason(e), e);
    }
    int maxBatch = validator.batchable() && dynamicBatch ? serving.maxBatchSize() : 1;
    if (!dynamicBatch && serving.maxBatchSize() > 1) {
      log.warn("{}: the artifact fixes the batch dimension of an input or output: batching is"
          + " off (max batch 1 instead of {})", label, serving.maxBatchSize());
    }
    return new Prepared(validator, new HealthCheck(label, manifest, versionDir, maxBatch),
        maxBatch);
  }

  private static Manifest withSignature(Manifest m, Signature signature) {
    return new Manifest(m.name(), m.version(), m.format(), m.artifact(), m.platform(), m.sha256(),
        m.runId(), signature, m.serving(), m.params(), m.metrics(), m.description(),
        m.createdAt());
  }

  /**
   * A failure's reason as clients may read it (it reaches /readyz, the admin status and the
   * reload_failed event): its message without class names, stack frames or server paths.
   */
  static String reason(Throwable e) {
    return ClientText.scrub(e.getMessage(), "unknown engine error");
  }
}
