package io.mlserve.server.rollout;

import io.mlserve.server.experiment.Metric;
import java.util.List;
import java.util.Optional;

/**
 * What one arm of a rollout (the candidate or the stable version) did over a window of time:
 * the input of a step's analysis ({@link RolloutController#next}). The window covers that arm's
 * own requests only (a candidate's window is never blended with the stable version's) since
 * {@code sinceMillis}, which is the later of the step's start and the moment this server began
 * counting (after a restart, the restart). Immutable.
 *
 * @param sinceMillis when the window began, epoch ms
 * @param requests requests the arm answered or failed in the window
 * @param errors those that failed
 * @param p95Millis the 95th percentile latency of the window, ms (0 with no requests)
 * @param divergence the arm's divergence from the stable version (e.g. a shadow's or the
 *     candidate's fraction of disagreeing outputs), or null if none is measured
 * @param feedback the arm's feedback figures in the window, one per metric that has outcomes
 *     (null: none)
 */
public record ArmWindow(long sinceMillis, long requests, long errors, double p95Millis,
    Double divergence, List<FeedbackFigure> feedback) {

  public ArmWindow {
    if (requests < 0 || errors < 0 || errors > requests) {
      throw new IllegalArgumentException("a window of " + requests + " requests cannot have "
          + errors + " errors");
    }
    if (!(p95Millis >= 0) || !Double.isFinite(p95Millis)) {
      throw new IllegalArgumentException("p95 " + p95Millis + " ms is not a latency");
    }
    feedback = feedback == null ? List.of() : List.copyOf(feedback);
  }

  /** A window with no requests since {@code sinceMillis}. */
  public static ArmWindow empty(long sinceMillis) {
    return new ArmWindow(sinceMillis, 0, 0, 0, null, null);
  }

  /** This window without a divergence figure. */
  public ArmWindow withoutDivergence() {
    return new ArmWindow(sinceMillis, requests, errors, p95Millis, null, feedback);
  }

  /** This window with {@code figures} as its feedback. */
  public ArmWindow withFeedback(List<FeedbackFigure> figures) {
    return new ArmWindow(sinceMillis, requests, errors, p95Millis, divergence, figures);
  }

  /** The figure of {@code metric}, if the window has one. */
  public Optional<FeedbackFigure> feedback(Metric metric) {
    return feedback.stream().filter(f -> f.metric() == metric).findFirst();
  }

  /** Errors over requests; 0 with no requests. */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }
}
