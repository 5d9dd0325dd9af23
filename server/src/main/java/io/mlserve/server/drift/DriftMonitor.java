package io.mlserve.server.drift;

import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationStore;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.drift.DriftReport.VersionDrift;
import io.mlserve.server.experiment.FeedbackResult;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point of live drift detection (one per server). The serving path
 * {@link #offer}s every answered request: one lookup in a map of maps finds the version's
 * {@link DriftSampler} (created, once, on the version's first answer), which copies a few rows
 * without locks or allocation. Every interval, {@link #computeNow} compares each served
 * version's window with its reference on the monitor's one background thread ({@link #start});
 * versions no longer served are dropped with their windows. Feedback outcomes arrive through
 * {@link #onFeedback}. Reports ({@link #report}), {@code /metrics} and alert rules
 * ({@link #latest}) read the published results and never compute.
 *
 * <p>This class is thread-safe.
 */
public final class DriftMonitor implements DriftView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);

  /** A version's stored reference profile. */
  @FunctionalInterface
  public interface References {
    /**
     * @return the profile, empty when the version has none
     * @throws RuntimeException with a message for people when it cannot be read
     */
    Optional<ReferenceProfile> load(String model, String version);

    /**
     * A value that changes when the version's stored reference is added or replaced (so a
     * reference set after the version started serving is picked up on the next pass); cheap,
     * called every pass. The default never changes: read once.
     */
    default long stamp(String model, String version) {
      return 0;
    }
  }

  /** A version's latest stored evaluation, as metric name → value. */
  @FunctionalInterface
  public interface Evaluations {
    Optional<Evaluated> latest(String model, String version);
  }

  /** One stored evaluation's id and candidate metrics (null values: not computed). */
  public record Evaluated(String id, Map<String, Double> metrics) {}

  private final DriftConfig config;
  private final Clock clock;
  private final References references;
  private final Evaluations evaluations;
  private final BiPredicate<String, String> serving;
  private final Predicate<String> known;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, VersionWatch>> models =
      new ConcurrentHashMap<>();
  private final Object passLock = new Object();
  private volatile ScheduledExecutorService timer;

  /**
   * @param serving whether a version is still served here (checked each pass; those that are
   *     not are dropped)
   * @param known whether this server serves the model at all (reports of others are NOT_FOUND)
   */
  public DriftMonitor(DriftConfig config, Clock clock, References references,
      Evaluations evaluations, BiPredicate<String, String> serving, Predicate<String> known) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.references = Objects.requireNonNull(references, "references");
    this.evaluations = Objects.requireNonNull(evaluations, "evaluations");
    this.serving = Objects.requireNonNull(serving, "serving");
    this.known = Objects.requireNonNull(known, "known");
  }

  /** Stored references from {@code versions/<v>/reference.json} of {@code store}. */
  public static References storeReferences(ModelStore store) {
    return new References() {
      @Override
      public Optional<ReferenceProfile> load(String model, String version) {
        return ReferenceJson.read(store.versionDir(model, version));
      }

      @Override
      public long stamp(String model, String version) {
        java.nio.file.Path f = store.versionDir(model, version).resolve(
            ReferenceProfile.FILE_NAME);
        try {
          return java.nio.file.Files.getLastModifiedTime(f).toMillis() * 31
              + java.nio.file.Files.size(f);
        } catch (java.io.IOException absent) {
          return -1;
        }
      }
    };
  }

  /** The newest stored evaluation of each version in {@code store}. */
  public static Evaluations storeEvaluations(ModelStore store) {
    EvaluationStore evaluations = new EvaluationStore(store);
    return (model, version) -> {
      List<Evaluation> newest = evaluations.list(model, version, 1);
      if (newest.isEmpty()) {
        return Optional.empty();
      }
      Evaluation e = newest.get(0);
      return Optional.of(new Evaluated(e.id(), e.candidate().metrics().values()));
    };
  }

  public DriftConfig config() {
    return config;
  }

  /**
   * Samples an answered request of {@code model}:{@code version}; returns at once and never
   * throws for the request's sake.
   *
   * @param signature the version's signature (used on its first answer only)
   * @param inputs the request's inputs (not copied; read now)
   * @param outputs the outputs in signature order
   */
  public void offer(String model, String version, Signature signature, List<Tensor> inputs,
      Tensor[] outputs) {
    if (!config.enabled()) {
      return;
    }
    Map<String, VersionWatch> versions = models.get(model);
    VersionWatch w = versions == null ? null : versions.get(version);
    if (w == null) {
      w = watch(model, version, signature);
    }
    if (w.sampler != null) {
      w.sampler.offer(inputs, outputs);
    }
  }

  private VersionWatch watch(String model, String version, Signature signature) {
    return models.computeIfAbsent(model, m -> new ConcurrentHashMap<>())
        .computeIfAbsent(version, v -> {
          try {
            return new VersionWatch(model, version,
                new DriftSampler(RowLayout.of(signature), config), null);
          } catch (IllegalArgumentException e) {
            log.info("drift of {}:{} is not monitored: {}", model, version, e.getMessage());
            return new VersionWatch(model, version, null, e.getMessage());
          }
        });
  }

  /** Counts a feedback outcome for the version that made the prediction, if it is watched. */
  public void onFeedback(FeedbackResult result) {
    Map<String, VersionWatch> versions = models.get(result.model());
    VersionWatch w = versions == null ? null : versions.get(result.version());
    if (w != null && !result.outcomes().isEmpty()) {
      w.outcomes(config.outcomeWindow()).add(result.outcomes());
    }
  }

  /** Runs {@link #computeNow} every interval on a background thread until {@link #close}. */
  public synchronized void start() {
    if (timer != null || !config.enabled()) {
      return;
    }
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "drift-monitor");
      th.setDaemon(true);
      th.setPriority(Thread.MIN_PRIORITY);
      return th;
    });
    long ms = config.interval().toMillis();
    t.scheduleWithFixedDelay(this::computeQuietly, ms, ms, TimeUnit.MILLISECONDS);
    timer = t;
  }

  private void computeQuietly() {
    try {
      computeNow();
    } catch (RuntimeException e) {
      log.warn("drift computation failed", e);
    }
  }

  /**
   * One pass: drops versions no longer served, then compares every other version's window
   * with its reference and publishes the result. Passes never overlap.
   */
  public void computeNow() {
    synchronized (passLock) {
      long now = clock.millis();
      models.forEach((model, versions) -> {
        versions.forEach((version, w) -> {
          if (!serving.test(model, version)) {
            versions.remove(version, w);
            return;
          }
          try {
            w.compute(now, config, references, evaluations);
          } catch (RuntimeException e) {
            log.warn("drift of {}:{} could not be computed", model, version, e);
          }
        });
        if (versions.isEmpty()) {
          models.remove(model, versions);
        }
      });
    }
  }

  @Override
  public Optional<DriftSnapshot> latest(String model, String version) {
    Map<String, VersionWatch> versions = models.get(model);
    VersionWatch w = versions == null ? null : versions.get(version);
    return w == null ? Optional.empty() : w.snapshot();
  }

  /**
   * The drift of {@code model}'s versions (or of one version).
   *
   * @param version a version, or null for every version watched
   * @throws InferenceException NOT_FOUND for a model this server does not serve, or a version
   *     that answered nothing here
   */
  public DriftReport report(String model, String version) {
    Objects.requireNonNull(model, "model");
    Map<String, VersionWatch> versions = models.get(model);
    if (versions == null && !known.test(model)) {
      throw InferenceException.notFound("model '" + model + "' is not served by this server");
    }
    if (!config.enabled()) {
      return new DriftReport(model, List.of(), "drift monitoring is off on this server"
          + " (started with --no-drift or --drift-sample-every 0)");
    }
    TreeMap<String, VersionWatch> sorted = new TreeMap<>(versions == null ? Map.of() : versions);
    if (version != null) {
      VersionWatch w = sorted.get(version);
      if (w == null) {
        throw InferenceException.notFound("version " + version + " of model '" + model
            + "' has answered no request on this server"
            + (sorted.isEmpty() ? "" : " (versions with drift: "
                + String.join(", ", sorted.keySet()) + ")"));
      }
      return new DriftReport(model, List.of(w.current(config)), null);
    }
    List<VersionDrift> out = new ArrayList<>();
    sorted.values().forEach(w -> out.add(w.current(config)));
    return new DriftReport(model, out, out.isEmpty()
        ? "no version of the model has answered a request on this server yet" : null);
  }

  /** Every watched model's report, by model name (for {@code /metrics}). */
  public List<DriftReport> reports() {
    List<DriftReport> out = new ArrayList<>();
    new TreeMap<>(models).keySet().forEach(m -> {
      try {
        out.add(report(m, null));
      } catch (InferenceException gone) {
        // dropped between the listing and the report
      }
    });
    return out;
  }

  /** Bytes the samplers hold now (windows and live-reference buffers). */
  public long bytes() {
    long b = 0;
    for (Map<String, VersionWatch> versions : models.values()) {
      for (VersionWatch w : versions.values()) {
        b += w.sampler == null ? 0 : w.sampler.bytes();
      }
    }
    return b;
  }

  /** Stops the background passes; samplers stay readable. */
  @Override
  public synchronized void close() {
    ScheduledExecutorService t = timer;
    if (t != null) {
      t.shutdownNow();
    }
  }
}
