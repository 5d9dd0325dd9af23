package io.mlserve.server.rollout;

import io.mlserve.server.experiment.Metric;
import java.util.Objects;

/**
 * One arm's figure of one feedback metric over a step's window, as the A/B record measured it
 * from {@code POST /api/v1/feedback} outcomes joined to that arm's predictions: the input of a
 * step's feedback check ({@link FeedbackCheck}). Immutable.
 *
 * @param metric the metric (its direction says which way is worse)
 * @param n outcomes counted (requests; rows for accuracy)
 * @param value the arm's value: the mean error or reward, the RMSE, or the share correct; NaN
 *     or infinite when the arm's outputs or errors were (e.g. a model answering NaN): the check
 *     counts a non-number as the worst value there is
 */
public record FeedbackFigure(Metric metric, long n, double value) {
  public FeedbackFigure {
    Objects.requireNonNull(metric, "metric");
    if (n < 0) {
      throw new IllegalArgumentException("a feedback figure of " + n + " outcomes");
    }
  }
}
