package io.mlserve.server.cli;

import io.mlserve.server.drift.DriftConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The live drift flags of {@code serve} and {@code demo} (a mixin of {@link ServeOptions}).
 * Plain data; not thread-safe.
 */
final class DriftOptions {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  @Option(names = "--no-drift", description = "Sample nothing and compute no drift (the same"
      + " as --drift-sample-every 0).")
  boolean noDrift;

  @Option(names = "--drift-sample-every", defaultValue = "1", description = "Sample one"
      + " answered request in this many for drift (1: every request; 0: off)."
      + " Default: ${DEFAULT-VALUE}")
  int sampleEvery;

  @Option(names = "--drift-rows-per-request", defaultValue = "4", description = "The most rows"
      + " one request adds to the drift window (evenly spaced). Default: ${DEFAULT-VALUE}")
  int rowsPerRequest;

  @Option(names = "--drift-window-rows", defaultValue = "1000", description = "Rows each served"
      + " version's drift window keeps (the last sampled). Default: ${DEFAULT-VALUE}")
  int windowRows;

  @Option(names = "--drift-interval", defaultValue = "30s", description = "How often windows"
      + " are compared with the reference: a number and ms, s, m or h (a bare number is"
      + " seconds). Default: ${DEFAULT-VALUE}")
  String interval;

  @Option(names = "--drift-reference-rows", defaultValue = "1000", description = "Live rows"
      + " that become the reference of a version without a stored reference.json."
      + " Default: ${DEFAULT-VALUE}")
  int referenceRows;

  @Option(names = "--drift-min-rows", defaultValue = "100", description = "The fewest window"
      + " rows that are compared. Default: ${DEFAULT-VALUE}")
  int minRows;

  @Option(names = "--drift-psi-threshold", defaultValue = "0.2", description = "A feature whose"
      + " PSI is above this counts as drifted. Default: ${DEFAULT-VALUE}")
  double psiThreshold;

  @Option(names = "--drift-top-k", defaultValue = "10", description = "Features per version"
      + " exported to /metrics (those with the largest PSI). Default: ${DEFAULT-VALUE}")
  int topK;

  /** The configuration these flags give; call after {@link #problems}. */
  DriftConfig config() {
    DriftConfig d = DriftConfig.defaults();
    return new DriftConfig(noDrift ? 0 : sampleEvery, rowsPerRequest, windowRows,
        d.maxWindowValues(), interval(), referenceRows, minRows, psiThreshold, topK,
        d.outcomeWindow(), d.minOutcomes());
  }

  /** What is wrong with the flags, one line each; empty if nothing. */
  void problems(List<String> out) {
    if (parse(interval) == null) {
      out.add("--drift-interval must be a number with ms, s, m or h (e.g. 30s), got '"
          + interval + "'");
      return;
    }
    try {
      config();
    } catch (IllegalArgumentException e) {
      out.addAll(List.of(e.getMessage().split("; ")));
    }
  }

  private Duration interval() {
    Duration d = parse(interval);
    return d == null ? Duration.ZERO : d;
  }

  static Duration parse(String s) {
    Matcher m = DURATION.matcher(s == null ? "" : s.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
