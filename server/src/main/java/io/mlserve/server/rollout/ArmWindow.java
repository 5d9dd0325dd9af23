package io.mlserve.server.rollout;

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
 * @param feedbackMean the mean of the feedback metric over the arm's answers, or null if none
 */
public record ArmWindow(long sinceMillis, long requests, long errors, double p95Millis,
    Double divergence, Double feedbackMean) {

  public ArmWindow {
    if (requests < 0 || errors < 0 || errors > requests) {
      throw new IllegalArgumentException("a window of " + requests + " requests cannot have "
          + errors + " errors");
    }
    if (!(p95Millis >= 0) || !Double.isFinite(p95Millis)) {
      throw new IllegalArgumentException("p95 " + p95Millis + " ms is not a latency");
    }
  }

  /** A window with no requests since {@code sinceMillis}. */
  public static ArmWindow empty(long sinceMillis) {
    return new ArmWindow(sinceMillis, 0, 0, 0, null, null);
  }

  /** This window without a divergence figure. */
  public ArmWindow withoutDivergence() {
    return new ArmWindow(sinceMillis, requests, errors, p95Millis, null, feedbackMean);
  }

  /** Errors over requests; 0 with no requests. */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }
}
