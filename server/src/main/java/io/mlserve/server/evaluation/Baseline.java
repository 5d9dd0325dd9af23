package io.mlserve.server.evaluation;

import java.util.Objects;

/**
 * Which version an evaluation compares the candidate with: the model's current Production
 * version ({@link #production()}: none when there is none, or when the candidate is it), no
 * baseline ({@link #none()}), or an explicit version. Immutable.
 */
public final class Baseline {
  private static final Baseline PRODUCTION = new Baseline(null, true);
  private static final Baseline NONE = new Baseline(null, false);

  private final String version;
  private final boolean production;

  private Baseline(String version, boolean production) {
    this.version = version;
    this.production = production;
  }

  /** The current Production version, if there is one other than the candidate. */
  public static Baseline production() {
    return PRODUCTION;
  }

  /** No baseline: the candidate's metrics only. */
  public static Baseline none() {
    return NONE;
  }

  /** This version. */
  public static Baseline version(String version) {
    return new Baseline(Objects.requireNonNull(version, "version"), false);
  }

  /**
   * Parses what a user types: empty or null or {@code production} → {@link #production()},
   * {@code none} → {@link #none()}, else a version.
   */
  public static Baseline parse(String text) {
    if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("production")) {
      return PRODUCTION;
    }
    if (text.strip().equalsIgnoreCase("none")) {
      return NONE;
    }
    return version(text.strip());
  }

  /** The explicit version, or null. */
  public String explicitVersion() {
    return version;
  }

  /** Whether this is the Production choice. */
  public boolean isProduction() {
    return production;
  }

  @Override
  public String toString() {
    return production ? "production" : version == null ? "none" : version;
  }
}
