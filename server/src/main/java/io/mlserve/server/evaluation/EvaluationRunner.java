package io.mlserve.server.evaluation;

import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.evaluation.DatasetRef;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationEvents;
import io.mlserve.evaluation.EvaluationIds;
import io.mlserve.evaluation.EvaluationRequest;
import io.mlserve.evaluation.EvaluationStore;
import io.mlserve.evaluation.Evaluator;
import io.mlserve.evaluation.ProgressListener;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an offline evaluation as a user (or the approval workflow) asks for it: resolves the
 * baseline, opens the stored dataset, loads a dedicated background instance of each version
 * ({@link ModelLoader#loadBackground} through {@link EnginePredictor}), runs the
 * {@link Evaluator}, and stores the result with its report ({@link EvaluationStore}) together
 * with the event {@value EvaluationEvents#EVALUATED} (the event first, the result's rename the
 * commit point, under the store lock). Instances and the dataset are closed on every path; an
 * evaluation that fails, is cancelled or runs out of time stores nothing.
 *
 * <p>Bounded: one evaluation runs at a time on a server; up to {@code maxQueued} more wait, and
 * any further one is refused at once (RESOURCE_EXHAUSTED naming the running one). Each run is
 * limited to {@code timeLimit}. {@link #submit} runs an evaluation on this runner's own threads
 * (for transports, which must not block); {@link #run} runs it on the caller's. This class is
 * thread-safe.
 */
public final class EvaluationRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EvaluationRunner.class);
  /** Rows per engine call of an evaluation instance, at least. */
  static final int ENGINE_BATCH = 1024;
  /** Evaluations that may wait for the running one unless configured otherwise. */
  public static final int DEFAULT_MAX_QUEUED = 2;
  /** The time limit of one evaluation unless configured otherwise. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofHours(1);

  private final ModelRegistry registry;
  private final ModelStore store;
  private final DatasetStore datasets;
  private final EvaluationStore results;
  private final ModelLoader loader;
  private final Clock clock;
  private final Ticker ticker;
  private final Duration timeLimit;
  private final EvaluationIds ids = new EvaluationIds(new SecureRandom());
  private final EvaluationSlots slots;
  private final ThreadPoolExecutor pool;
  private volatile boolean closed;

  /**
   * @param loader loads the background instances (its batchers on the system ticker)
   * @param ticker times the run against {@code timeLimit}
   * @param timeLimit the most time one evaluation may run
   * @param maxQueued evaluations that may wait while one runs
   */
  public EvaluationRunner(ModelRegistry registry, DatasetStore datasets, ModelLoader loader,
      Clock clock, Ticker ticker, Duration timeLimit, int maxQueued) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.store = registry.store();
    this.datasets = Objects.requireNonNull(datasets, "datasets");
    this.results = new EvaluationStore(store);
    this.loader = Objects.requireNonNull(loader, "loader");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.timeLimit = Objects.requireNonNull(timeLimit, "timeLimit");
    if (timeLimit.isZero() || timeLimit.isNegative()) {
      throw new IllegalArgumentException("the evaluation time limit must be positive");
    }
    this.slots = new EvaluationSlots(maxQueued);
    // One thread per evaluation that may run or wait: a caller beyond that is refused by the
    // slots (or, racing them, by this pool), never queued without bound.
    this.pool = new ThreadPoolExecutor(0, maxQueued + 1, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "mlserve-evaluation");
          t.setDaemon(true);
          return t;
        });
  }

  /** How many evaluations wait for the running one (for tests and status). */
  public int queued() {
    return slots.waiting();
  }

  /** The stored evaluations (for reads: list, get, report). */
  public EvaluationStore results() {
    return results;
  }

  /**
   * Evaluates {@code version} of {@code model} on the stored dataset {@code dataset}, on the
   * calling thread, and stores the result (with its verdict when {@code options} has a judge)
   * and its event.
   *
   * @param model the model
   * @param version the candidate version (not Archived)
   * @param dataset the name of one of the model's datasets
   * @param baseline what to compare with; null means {@link Baseline#production()}: the current
   *     Production version, or none when there is none or it is the candidate itself
   * @param options batch size, metric kind, scored output, custom metrics, judge; null for
   *     {@link EvaluationOptions#defaults()}
   * @param actor who asks (recorded in the result and the event)
   * @param progress told rows done / total after each batch ({@link ProgressListener#NONE})
   * @param cancelled polled while waiting and before each engine call; true stops the run
   * @return the stored evaluation
   * @throws NotFoundException unknown model, version, baseline or dataset (naming what exists)
   * @throws IllegalArgumentException bad options, an Archived version, a baseline equal to
   *     the candidate
   * @throws InferenceException RESOURCE_EXHAUSTED when one evaluation runs and the queue is full
   * @throws io.mlserve.evaluation.EvaluationException when the run fails, is cancelled or
   *     passes the time limit (nothing is stored)
   */
  public Evaluation run(String model, String version, String dataset, Baseline baseline,
      EvaluationOptions options, String actor, ProgressListener progress,
      BooleanSupplier cancelled) {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(cancelled, "cancelled");
    EvaluationOptions opts = options == null ? EvaluationOptions.defaults() : options;
    BooleanSupplier stop = () -> closed || cancelled.getAsBoolean();
    checkVersion(model, version, "version");
    String baselineVersion = resolveBaseline(model, version,
        baseline == null ? Baseline.production() : baseline);
    checkOutput(model, version, opts.outputName());
    if (baselineVersion != null) {
      checkOutput(model, baselineVersion, opts.outputName());
    }
    DatasetInfo info = dataset(model, dataset);
    EvaluationRequest request = new EvaluationRequest(model, version, baselineVersion,
        new DatasetRef(info.name(), info.sha256(), info.rows()), actor, opts.kind(),
        opts.batchSize(), timeLimit, opts.customMetrics());
    String what = model + ":" + version + " on '" + dataset + "'"
        + (baselineVersion == null ? "" : " against " + baselineVersion) + " by " + actor;
    try (EvaluationSlots.Slot slot = slots.acquire(what, stop)) {
      log.info("evaluating {}", what);
      Evaluation e = evaluate(request, opts, progress, stop);
      if (opts.judge() != null) {
        e = e.withVerdict(opts.judge().apply(e));
      }
      save(e);
      log.info("evaluation {} of {}:{} stored", e.id(), model, version);
      return e;
    }
  }

  /**
   * As {@link #run}, on this runner's threads: the future completes with the stored evaluation
   * or the failure. A caller beyond the running and queued ones is refused at once.
   */
  public CompletableFuture<Evaluation> submit(String model, String version, String dataset,
      Baseline baseline, EvaluationOptions options, String actor, ProgressListener progress,
      BooleanSupplier cancelled) {
    CompletableFuture<Evaluation> out = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          out.complete(run(model, version, dataset, baseline, options, actor, progress,
              () -> out.isDone() || cancelled.getAsBoolean()));
        } catch (Throwable t) {
          out.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      String running = slots.running();
      throw new InferenceException(InferenceException.Kind.RESOURCE_EXHAUSTED,
          "too many evaluations waiting" + (running == null ? "" : "; running: " + running)
              + "; retry when it has finished");
    }
    return out;
  }

  private Evaluation evaluate(EvaluationRequest request, EvaluationOptions opts,
      ProgressListener progress, BooleanSupplier cancelled) {
    String model = request.model();
    EnginePredictor.Instances instances = v -> loader.loadBackground(store.versionDir(model, v),
        forEvaluation(store.manifest(model, v)));
    // Engine calls carry deadlines in the batchers' time: the system ticker, as the server's
    // ModelLoader runs them; this runner's own ticker bounds the whole run (tests fake it).
    try (EnginePredictor predictor = new EnginePredictor(instances, opts.outputName(),
        Ticker.system(), timeLimit);
        DatasetSource source = open(model, request.dataset().name())) {
      return new Evaluator(predictor, clock, ticker::nanoTime, ids).run(request, source,
          progress, cancelled);
    } catch (IOException e) {
      throw new StoreException("cannot close dataset '" + request.dataset().name() + "': "
          + IoErrors.reason(e), e);
    }
  }

  /**
   * The manifest an evaluation instance loads: engine calls of at least
   * {@value #ENGINE_BATCH} rows. Serving sizes its batches for latency (the demo: 64); an
   * evaluation reads whole batches at once and wants throughput, and a call's fixed cost
   * (queueing, tensor conversion, the engine's dispatch) dominates a small model's 64 rows.
   * Models are row-independent, so the answers do not change; the warm-up covers the new
   * sizes.
   */
  static Manifest forEvaluation(Manifest m) {
    ServingConfig s = m.serving();
    if (s.maxBatchSize() <= 1 || s.maxBatchSize() >= ENGINE_BATCH) {
      return m; // not batchable, or already large
    }
    return new Manifest(m.name(), m.version(), m.format(), m.artifact(), m.platform(),
        m.sha256(), m.runId(), m.signature(), s.withMaxBatchSize(ENGINE_BATCH), m.params(),
        m.metrics(), m.description(), m.createdAt());
  }

  private DatasetSource open(String model, String dataset) {
    try {
      return datasets.open(model, dataset);
    } catch (IOException e) {
      throw new StoreException("cannot open dataset '" + dataset + "' of " + model + ": "
          + IoErrors.reason(e), e);
    }
  }

  private void save(Evaluation e) {
    String runId = store.manifest(e.model(), e.version()).runId();
    Stage stage = registry.stageOf(e.model(), e.version());
    registry.locked(e.model(), () -> {
      registry.events().appendQueued(EvaluationEvents.evaluated(e, stage.displayName(), runId,
          clock.millis()));
      results.save(e); // its JSON's rename is the commit point
      store.lock().committed();
      return null;
    });
  }

  private void checkVersion(String model, String version, String what) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, what);
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    if (!store.hasVersion(model, version)) {
      throw new NotFoundException("model '" + model + "' has no " + what + " '"
          + Names.printable(version) + "' (versions: " + String.join(", ",
          store.versions(model)) + ")");
    }
    if (registry.stageOf(model, version) == Stage.ARCHIVED) {
      throw new IllegalArgumentException(model + ":" + version + " is Archived and cannot be"
          + " loaded; restore it to evaluate it");
    }
  }

  /** A bad output name is a bad request, refused before anything is loaded. */
  private void checkOutput(String model, String version, String outputName) {
    if (outputName == null) {
      return;
    }
    List<String> names = store.manifest(model, version).signature().outputs().stream()
        .map(TensorSpec::name).toList();
    if (!names.contains(outputName)) {
      throw new IllegalArgumentException(model + ":" + version + " has no output '"
          + Names.printable(outputName) + "' (outputs: " + String.join(", ", names) + ")");
    }
  }

  private String resolveBaseline(String model, String version, Baseline baseline) {
    if (baseline.isProduction()) {
      String prod = store.stageVersion(model, Stage.PRODUCTION).orElse(null);
      return prod == null || prod.equals(version) ? null : prod;
    }
    String explicit = baseline.explicitVersion();
    if (explicit == null) {
      return null;
    }
    if (explicit.equals(version)) {
      throw new IllegalArgumentException("version " + version + " cannot be its own baseline");
    }
    checkVersion(model, explicit, "baseline version");
    return explicit;
  }

  private DatasetInfo dataset(String model, String name) {
    Objects.requireNonNull(name, "dataset");
    try {
      return datasets.get(model, name);
    } catch (NotFoundException e) {
      List<String> names = datasets.list(model).stream().map(DatasetInfo::name).toList();
      throw new NotFoundException("model '" + model + "' has no dataset '"
          + Names.printable(name) + "' (" + (names.isEmpty()
          ? "it has none; add one with `mlctl dataset add`" : "datasets: "
          + String.join(", ", names)) + ")");
    }
  }

  /**
   * Cancels running and waiting evaluations (at their next check; never by interrupting a file
   * write) and stops the threads of {@link #submit}.
   */
  @Override
  public void close() {
    closed = true;
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
