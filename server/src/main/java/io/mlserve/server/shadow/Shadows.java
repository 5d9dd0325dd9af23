package io.mlserve.server.shadow;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one entry point of shadow deployments (one per server): the deployment path
 * {@link #start}s and {@link #stop}s a model's shadow when the deployment record's shadow
 * section changes, the serving path {@link #offer}s every answered request after its answer was
 * sent, and reports and {@code /metrics} read {@link #report} / {@link #reports}.
 * Transport-free: it throws only {@link InferenceException} (and
 * {@link IllegalArgumentException} for a bad config, from {@link ShadowConfig}).
 *
 * <p>The shadow version's {@link ServedModel} is loaded, kept and closed by the caller; this
 * class only submits to it.
 *
 * <p>This class is thread-safe. {@link #offer} for a model without a shadow is one map lookup
 * and allocates nothing.
 */
public final class Shadows implements AutoCloseable {
  private final Ticker ticker;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor timer;
  private final ConcurrentHashMap<String, ShadowMirror> mirrors = new ConcurrentHashMap<>();

  /**
   * @param ticker the monotonic time of shadow latencies and deadlines
   * @param clock the wall time reports give a shadow's start in
   */
  public Shadows(Ticker ticker, Clock clock) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "shadow-deadlines");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true); // answered copies leave no timer task behind
  }

  /**
   * Mirrors {@code model}'s answers to {@code shadow} from now on. Starting the shadow already
   * running (same version, same config) keeps its window and only points it at this instance
   * (a reload that re-applies the deployment record); anything else replaces the running
   * shadow, whose queued copies are discarded, and starts a new window.
   */
  public void start(String model, ServedModel shadow, ShadowConfig config) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(shadow, "shadow");
    Objects.requireNonNull(config, "config");
    if (!shadow.name().equals(model)) {
      throw InferenceException.invalid("the shadow of model '" + model + "' must be one of its"
          + " versions, got " + shadow.label());
    }
    ShadowMirror[] replaced = new ShadowMirror[1];
    mirrors.compute(model, (m, running) -> {
      if (running != null && running.version().equals(shadow.version())
          && running.config().equals(config)) {
        running.retarget(shadow);
        return running;
      }
      replaced[0] = running;
      return new ShadowMirror(model, shadow, config, ticker, timer, clock.millis());
    });
    if (replaced[0] != null) {
      replaced[0].close();
    }
  }

  /**
   * Stops mirroring {@code model}'s answers and forgets its shadow's window.
   *
   * @return whether the model had a shadow
   */
  public boolean stop(String model) {
    ShadowMirror m = mirrors.remove(Objects.requireNonNull(model, "model"));
    if (m != null) {
      m.close();
    }
    return m != null;
  }

  /**
   * Offers an answered request for mirroring; returns at once and never throws for the
   * shadow's sake. Call it after the answer was sent (or at least without making the client
   * wait), for answered requests only.
   *
   * @param version the version that answered (answers of the shadow version are not mirrored)
   * @param requestId the request's id; it decides the sample, deterministically
   * @param inputs the inputs the primary ran (not copied; must not change afterwards)
   * @param outputs the primary's outputs (not copied)
   */
  public void offer(String model, String version, String requestId, List<Tensor> inputs,
      Tensor[] outputs) {
    ShadowMirror m = mirrors.get(model);
    if (m != null) {
      m.offer(version, requestId, inputs, outputs);
    }
  }

  /** Whether {@code model} has a shadow now. */
  public boolean active(String model) {
    return mirrors.containsKey(model);
  }

  /**
   * The report of {@code model}'s shadow.
   *
   * @throws InferenceException NOT_FOUND when the model has no shadow, naming those that do
   */
  public ShadowReport report(String model) {
    ShadowMirror m = mirrors.get(Objects.requireNonNull(model, "model"));
    if (m == null) {
      throw InferenceException.notFound("model '" + model + "' has no shadow"
          + (mirrors.isEmpty() ? " (no model has one)"
              : " (models with one: " + String.join(", ", new TreeMap<>(mirrors).keySet())
                  + ")"));
    }
    return m.report();
  }

  /** Every running shadow's report, by model name. */
  public List<ShadowReport> reports() {
    List<ShadowReport> out = new ArrayList<>();
    new TreeMap<>(mirrors).values().forEach(m -> out.add(m.report()));
    return out;
  }

  /** Stops every shadow and the deadline timer. */
  @Override
  public void close() {
    new ArrayList<>(mirrors.keySet()).forEach(this::stop);
    timer.shutdownNow();
  }
}
