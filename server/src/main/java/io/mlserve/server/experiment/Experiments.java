package io.mlserve.server.experiment;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.Tensor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point of A/B experiments: the serving path {@link #record}s every answer, the
 * feedback routes {@link #feedback} outcomes for earlier predictions, the report routes read
 * {@link #report}, and the deployment path says when a model's split {@link #splitChanged}.
 * Transport-free: it throws only {@link InferenceException}.
 *
 * <p>Per model it keeps the window of the split in force ("current") and the window of the
 * split before it ("previous", readable until the next change, then dropped), each with at most
 * {@link ExperimentConfig#maxArms} arms; at most {@link ExperimentConfig#maxModels} models have
 * windows (requests of further models are logged for feedback but in no window). Only requests
 * routed by the split count in a window: a request that names its version or stage bypasses
 * the split and so is not part of the experiment. Predictions are kept for feedback in a
 * {@link PredictionLog} bounded by count, bytes and age.
 *
 * <p>This class is thread-safe; {@link #record} takes no global lock and allocates the log
 * entry only.
 */
public final class Experiments {
  private static final Logger log = LoggerFactory.getLogger(Experiments.class);

  private final ExperimentConfig config;
  private final Clock clock;
  private final PredictionLog predictions;
  private final ConcurrentHashMap<String, Windows> models = new ConcurrentHashMap<>();
  // @GuardedBy("models")
  private boolean warnedFull;
  private volatile java.util.function.Consumer<FeedbackResult> feedbackListener = r -> { };

  /**
   * @param ticker the monotonic time of prediction ages (TTL)
   * @param clock the wall time that reports give window starts in
   */
  public Experiments(ExperimentConfig config, Ticker ticker, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.predictions = new PredictionLog(config, ticker);
  }

  /**
   * Records one finished request of {@code model}, answered (or failed) by {@code version}.
   *
   * @param requestId the id the caller was given (its own or the one the server assigned); null when
   *     the caller cannot send feedback for it (then the prediction is not logged)
   * @param outputs the answer's outputs (not copied; tensors are immutable); ignored on error
   * @param splitRouted true when the model's split chose the version (an unversioned request);
   *     false when the request named a version or stage
   * @param latencyNanos the request's total latency (answered requests only enter the
   *     latency percentiles)
   * @param error null when answered; else the failure's kind
   */
  public void record(String model, String version, String requestId, Tensor[] outputs,
      boolean splitRouted, long latencyNanos, InferenceException.Kind error) {
    ArmStats arm = splitRouted ? arm(model, version) : null;
    if (error != null) {
      if (arm != null) {
        arm.failed();
      }
      return;
    }
    if (arm != null) {
      arm.answered(latencyNanos);
    }
    if (requestId != null && outputs != null) {
      predictions.record(requestId, model, version, arm, outputs);
    }
  }

  /**
   * Joins feedback with the prediction of {@code requestId} and counts its outcome for the arm
   * that made it. Exactly one of {@code label} and {@code reward} is given.
   *
   * @throws InferenceException NOT_FOUND when the id is unknown, expired, or belongs to another
   *     model (the message says which and why); INVALID_ARGUMENT for a label or reward that
   *     does not fit the prediction, or for a second feedback on the same prediction
   */
  public FeedbackResult feedback(String model, String requestId, double[] label,
      Double reward) {
    if (model == null || model.isBlank()) {
      throw InferenceException.invalid("model is missing");
    }
    if (requestId == null || requestId.isBlank()) {
      throw InferenceException.invalid("request_id is missing");
    }
    FeedbackJoin.checkInput(label, reward);
    PredictionLog.Lookup found = predictions.find(requestId);
    switch (found.state()) {
      case UNKNOWN -> throw InferenceException.notFound("no recent prediction has request id '"
          + requestId + "': it was never made, was not kept, or was evicted (the server keeps "
          + "the predictions a traffic split routed or whose request sent its own id, the last "
          + predictions.maxEntries() + " of them, up to " + mib(predictions.maxBytes())
          + ", for " + duration(predictions.ttl()) + ")");
      case EXPIRED -> throw InferenceException.notFound("the prediction of request '"
          + requestId + "' has expired: it was made " + duration(Duration.ofNanos(
              found.ageNanos())) + " ago, and feedback is taken for " + duration(
                  predictions.ttl()));
      case FOUND -> { }
    }
    Prediction p = found.prediction();
    if (!p.model.equals(model)) {
      throw InferenceException.notFound("request '" + requestId + "' was answered by model '"
          + p.model + "', not '" + model + "'");
    }
    FeedbackJoin.Outcomes outcomes = FeedbackJoin.join(p, label, reward);
    if (!predictions.claimFeedback(p)) {
      throw InferenceException.invalid("feedback for request '" + requestId
          + "' was already recorded; a prediction takes feedback once");
    }
    FeedbackResult result = count(p, outcomes);
    feedbackListener.accept(result);
    return result;
  }

  /**
   * Tells {@code listener} about every feedback joined from now on (on the feedback's thread;
   * it must be cheap), e.g. for performance drift.
   */
  public void onFeedback(java.util.function.Consumer<FeedbackResult> listener) {
    this.feedbackListener = Objects.requireNonNull(listener, "listener");
  }

  private FeedbackResult count(Prediction p, FeedbackJoin.Outcomes outcomes) {
    if (p.arm == null) {
      return new FeedbackResult(p.model, p.id, p.version, outcomes.perRequest(), false, null,
          null, "the request named its version or stage, so no split routed it: it is in no"
              + " A/B window");
    }
    Window w = p.arm.window();
    Window.Phase phase = w.phase();
    if (phase == Window.Phase.CLOSED) {
      return new FeedbackResult(p.model, p.id, p.version, outcomes.perRequest(), false, null,
          w.splitId(), "the split that routed the request has since been replaced twice; its"
              + " window is no longer kept");
    }
    for (Map.Entry<Metric, double[]> e : outcomes.values().entrySet()) {
      for (double v : e.getValue()) {
        p.arm.outcome(e.getKey(), v);
      }
    }
    boolean current = phase == Window.Phase.CURRENT;
    return new FeedbackResult(p.model, p.id, p.version, outcomes.perRequest(), true,
        current ? "current" : "previous", w.splitId(),
        current ? null : "counted in the previous window: the split has changed since");
  }

  /** The A/B report of {@code model}: its current and previous windows, either may be null. */
  public AbReport report(String model) {
    Windows ws = models.get(Objects.requireNonNull(model, "model"));
    if (ws == null) {
      return new AbReport(model, null, null);
    }
    Window current;
    Window previous;
    synchronized (ws) {
      current = ws.current;
      previous = ws.previous;
    }
    return new AbReport(model, window(current), window(previous));
  }

  private AbWindow window(Window w) {
    if (w == null) {
      return null;
    }
    List<AbWindow.ArmData> data = new ArrayList<>();
    for (ArmStats a : w.arms()) {
      Map<Metric, RunningStats.Moments> m = new EnumMap<>(Metric.class);
      for (Metric metric : Metric.values()) {
        m.put(metric, a.outcomes(metric));
      }
      data.add(new AbWindow.ArmData(a.version(), a.requests(), a.errors(), a.latencySnapshot(),
          m));
    }
    long ended = w.endedAtMillis();
    return AbWindow.of(w.splitId(), w.weights(), w.startedAtMillis(), ended == 0 ? null : ended,
        w.untracked(), data, config.minOutcomes());
  }

  /**
   * The model's split changed: a new window begins, the current one becomes the previous one
   * (readable in reports, still counting feedback for its predictions) and the previous one is
   * dropped. Announcing the split already in force (same id) changes nothing, so a reload that
   * re-applies it keeps the window.
   *
   * @param splitId the split's identity as the registry gives it (e.g. its event seq)
   * @param weights version → weight; empty when the model no longer has a split
   */
  public void splitChanged(String model, String splitId, Map<String, Double> weights) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(weights, "weights");
    Windows ws = windows(model);
    if (ws == null) {
      return;
    }
    synchronized (ws) {
      if (ws.current != null && splitId != null && splitId.equals(ws.current.splitId())
          && weights.equals(ws.current.weights())) {
        return;
      }
      if (ws.current == null && weights.isEmpty()) {
        return;
      }
      ws.rotate(weights.isEmpty() ? null : newWindow(model, splitId, weights),
          clock.millis());
    }
  }

  /** Forgets a model's windows (for a model that was deleted). */
  public void forget(String model) {
    Windows ws = models.remove(model);
    if (ws != null) {
      synchronized (ws) {
        ws.rotate(null, clock.millis());
        ws.rotate(null, clock.millis());
      }
    }
  }

  /** Per-arm counters of every current window, e.g. for Prometheus. */
  public List<ArmCounters> counters() {
    List<ArmCounters> out = new ArrayList<>();
    models.forEach((model, ws) -> {
      Window w = ws.current;
      if (w != null) {
        for (ArmStats a : w.arms()) {
          Map<Metric, Long> n = new EnumMap<>(Metric.class);
          for (Metric metric : Metric.values()) {
            n.put(metric, a.outcomes(metric).n());
          }
          out.add(new ArmCounters(model, a.version(), w.splitId(), a.requests(), a.errors(),
              n));
        }
      }
    });
    return out;
  }

  /**
   * One arm's counters in the current window.
   *
   * @param outcomes feedback outcomes counted per metric
   */
  public record ArmCounters(String model, String version, String splitId, long requests,
      long errors, Map<Metric, Long> outcomes) {}

  /** Predictions held for feedback now. */
  public int predictionsHeld() {
    return predictions.size();
  }

  /** Estimated bytes of the predictions held now. */
  public long predictionBytes() {
    return predictions.bytes();
  }

  private ArmStats arm(String model, String version) {
    Windows ws = models.get(model);
    Window w = ws == null ? null : ws.current;
    if (w == null) {
      // A split routed this request before the deployment path announced it: open a window
      // for the split whose id and weights are not known yet.
      ws = windows(model);
      if (ws == null) {
        return null;
      }
      synchronized (ws) {
        if (ws.current == null) {
          ws.rotate(newWindow(model, null, Map.of()), clock.millis());
        }
        w = ws.current;
      }
    }
    return w.arm(version);
  }

  private Window newWindow(String model, String splitId, Map<String, Double> weights) {
    return new Window(model, splitId, weights, clock.millis(), config.maxArms());
  }

  /** The model's windows, created on first use; null when the model bound is reached. */
  private Windows windows(String model) {
    Windows ws = models.get(model);
    if (ws != null) {
      return ws;
    }
    synchronized (models) {
      ws = models.get(model);
      if (ws == null) {
        if (models.size() >= config.maxModels()) {
          if (!warnedFull) {
            warnedFull = true;
            log.warn("A/B windows: at most {} models are tracked; model '{}' and any further"
                + " ones are not (this is logged once)", config.maxModels(), model);
          }
          return null;
        }
        ws = new Windows();
        models.put(model, ws);
      }
      return ws;
    }
  }

  /** A model's current and previous windows. Guarded by itself; current is read lock-free. */
  private static final class Windows {
    volatile Window current;
    // @GuardedBy("this")
    Window previous;

    void rotate(Window next, long nowMillis) {
      if (previous != null) {
        previous.phase(Window.Phase.CLOSED, nowMillis);
      }
      if (current != null) {
        current.phase(Window.Phase.PREVIOUS, nowMillis);
      }
      previous = current;
      current = next;
    }
  }

  private static String mib(long bytes) {
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }

  /** A duration as people say it: "1 h", "12 min 3 s", "250 ms". */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    long s = d.getSeconds();
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    StringBuilder sb = new StringBuilder();
    if (h > 0) {
      sb.append(h).append(" h");
    }
    if (m > 0) {
      sb.append(sb.length() > 0 ? " " : "").append(m).append(" min");
    }
    if (sec > 0 && h == 0) {
      sb.append(sb.length() > 0 ? " " : "").append(sec).append(" s");
    }
    return sb.toString();
  }
}
