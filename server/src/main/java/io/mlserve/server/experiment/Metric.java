package io.mlserve.server.experiment;

import java.util.Locale;

/**
 * An outcome measure that feedback yields. A numeric label gives MAE and RMSE (per request: the
 * mean absolute and the mean squared error over the output's elements), a class label gives
 * accuracy (per row: 1 when the output's argmax is the label, else 0), a reward gives itself.
 */
public enum Metric {
  /** Mean absolute error; lower is better. */
  MAE(false),
  /**
   * Root mean squared error; lower is better. Accumulated as per-request mean squared error;
   * the report gives the root of the mean.
   */
  RMSE(false),
  /** Share of rows whose argmax is the class label; higher is better. */
  ACCURACY(true),
  /** The caller's business outcome; higher is better. */
  REWARD(true);

  private final boolean higherIsBetter;

  Metric(boolean higherIsBetter) {
    this.higherIsBetter = higherIsBetter;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The lower-case name used in JSON and protos, e.g. {@code "mae"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The name people read, e.g. {@code "MAE"}, {@code "accuracy"}. */
  public String label() {
    return switch (this) {
      case MAE, RMSE -> name();
      case ACCURACY, REWARD -> wireName();
    };
  }
}
