package io.mlserve.server.experiment;

import java.util.Map;
import java.util.Objects;

/**
 * What one piece of feedback yielded: the version that made the prediction, the outcome per
 * metric for that request (MAE and RMSE for a numeric label, accuracy over its rows for a class
 * label, the reward itself), and whether it counts in an A/B window. Immutable.
 *
 * @param window "current" or "previous" when counted; null when not
 * @param note why it is not counted, or in which window it is; null when counted in the current
 */
public record FeedbackResult(String model, String requestId, String version,
    Map<Metric, Double> outcomes, boolean counted, String window, String splitId, String note) {
  public FeedbackResult {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(version, "version");
    outcomes = Map.copyOf(outcomes);
  }
}
