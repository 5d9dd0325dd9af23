package io.mlserve.server.drift;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How live drift is sampled and compared. Immutable.
 *
 * @param sampleEvery sample one request in this many (1: every request; 0: drift is off and
 *     nothing is sampled)
 * @param rowsPerRequest the most rows one request contributes (evenly spaced over its rows), so
 *     that a bulk request does not flush the window
 * @param windowRows rows each served version's window holds (the last ones sampled)
 * @param maxWindowValues the most numbers one window (and one live-reference buffer) holds: a
 *     version whose rows are wide gets fewer rows, so memory per version stays bounded
 * @param interval how often windows are compared
 * @param referenceRows live rows that become the reference of a version without a stored one
 * @param minRows the fewest rows a window needs to be compared
 * @param psiThreshold a feature whose PSI is above this counts as drifted
 * @param topK features (and outputs) per version exported to {@code /metrics} by PSI
 * @param outcomeWindow recent feedback outcomes per version that live error is computed over
 * @param minOutcomes the fewest outcomes a live error needs
 */
public record DriftConfig(int sampleEvery, int rowsPerRequest, int windowRows,
    int maxWindowValues, Duration interval, int referenceRows, int minRows,
    double psiThreshold, int topK, int outcomeWindow, int minOutcomes) {
  public DriftConfig {
    Objects.requireNonNull(interval, "interval");
    List<String> p = problems(sampleEvery, rowsPerRequest, windowRows, maxWindowValues,
        interval, referenceRows, minRows, psiThreshold, topK, outcomeWindow, minOutcomes);
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", p));
    }
  }

  /** Every request sampled, 4 rows a request, 1000-row windows, compared every 30 s. */
  public static DriftConfig defaults() {
    return new DriftConfig(1, 4, 1000, 2_000_000, Duration.ofSeconds(30), 1000, 100, 0.2, 10,
        1000, 30);
  }

  /** Drift off: nothing is sampled or compared. */
  public static DriftConfig off() {
    DriftConfig d = defaults();
    return new DriftConfig(0, d.rowsPerRequest, d.windowRows, d.maxWindowValues, d.interval,
        d.referenceRows, d.minRows, d.psiThreshold, d.topK, d.outcomeWindow, d.minOutcomes);
  }

  /** Whether drift is sampled at all. */
  public boolean enabled() {
    return sampleEvery > 0;
  }

  /** What is wrong with these values, one line each, naming the server flag; empty if none. */
  static List<String> problems(int sampleEvery, int rowsPerRequest, int windowRows,
      int maxWindowValues, Duration interval, int referenceRows, int minRows,
      double psiThreshold, int topK, int outcomeWindow, int minOutcomes) {
    List<String> p = new ArrayList<>();
    range(p, "--drift-sample-every", sampleEvery, 0, 1_000_000);
    range(p, "--drift-rows-per-request", rowsPerRequest, 1, 1000);
    range(p, "--drift-window-rows", windowRows, 10, 1_000_000);
    range(p, "max window values", maxWindowValues, 1000, 100_000_000);
    range(p, "--drift-reference-rows", referenceRows, 10, 1_000_000);
    range(p, "--drift-min-rows", minRows, 2, windowRows);
    range(p, "--drift-top-k", topK, 1, 1000);
    range(p, "outcome window", outcomeWindow, 1, 1_000_000);
    range(p, "min outcomes", minOutcomes, 1, outcomeWindow);
    if (interval.toMillis() < 100 || interval.compareTo(Duration.ofDays(1)) > 0) {
      p.add("--drift-interval must be between 100ms and 1 day, got " + interval.toMillis()
          + " ms");
    }
    if (!(psiThreshold > 0) || psiThreshold > 100) {
      p.add("--drift-psi-threshold must be above 0 and at most 100, got " + psiThreshold);
    }
    return p;
  }

  private static void range(List<String> p, String flag, long v, long min, long max) {
    if (v < min || v > max) {
      p.add(flag + " must be between " + min + " and " + max + ", got " + v);
    }
  }
}
