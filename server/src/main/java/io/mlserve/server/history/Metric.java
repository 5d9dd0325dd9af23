package io.mlserve.server.history;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The series the sampler keeps: what each measures, whose it is ({@link Scope}) and how a
 * downsampled bucket folds its one-second points ({@link Fold}). Quantiles fold to the worst
 * second (the maximum): a quantile of the bucket's requests lies between the smallest and the
 * largest per-second quantile, and averaging quantiles has no meaning. Everything else folds to
 * the mean. Immutable; thread-safe.
 */
public enum Metric {
  RATE(Scope.VERSION, Fold.MEAN, "requests answered per second"),
  ERROR_RATE(Scope.VERSION, Fold.MEAN, "failed / answered requests (0 to 1)"),
  P50_MS(Scope.VERSION, Fold.MAX, "median total latency of the second's requests, ms"),
  P95_MS(Scope.VERSION, Fold.MAX, "95th percentile total latency, ms"),
  P99_MS(Scope.VERSION, Fold.MAX, "99th percentile total latency, ms"),
  BATCH_ROWS_MEAN(Scope.VERSION, Fold.MEAN, "mean rows per batch run"),
  QUEUE_DEPTH(Scope.VERSION, Fold.MEAN, "requests waiting in the batcher queue"),
  IN_FLIGHT(Scope.VERSION, Fold.MEAN, "requests accepted and not yet answered"),
  CPU_RATIO(Scope.PROCESS, Fold.MEAN, "process CPU time per second of wall time (1 = one core)"),
  RSS_BYTES(Scope.PROCESS, Fold.MEAN, "resident memory of the process, bytes"),
  HEAP_BYTES(Scope.PROCESS, Fold.MEAN, "JVM heap in use, bytes"),
  GC_SECONDS_RATE(Scope.PROCESS, Fold.MEAN, "seconds spent in GC per second"),
  THREADS(Scope.PROCESS, Fold.MEAN, "live JVM threads"),
  TRANSPORT_RATE(Scope.TRANSPORT, Fold.MEAN, "requests answered per second over the transport");

  /** Whose series it is. */
  public enum Scope { VERSION, PROCESS, TRANSPORT }

  /** How one-second points fold into a coarser bucket. */
  public enum Fold { MEAN, MAX }

  private final Scope scope;
  private final Fold fold;
  private final String help;
  private final String wire = name().toLowerCase(Locale.ROOT);

  Metric(Scope scope, Fold fold, String help) {
    this.scope = scope;
    this.fold = fold;
    this.help = help;
  }

  public Scope scope() {
    return scope;
  }

  public Fold fold() {
    return fold;
  }

  public String help() {
    return help;
  }

  /** The name on the wire and on disk, e.g. {@code p95_ms}. */
  public String wireName() {
    return wire;
  }

  /** The metric of a wire name, or null. */
  public static Metric parse(String wireName) {
    for (Metric m : values()) {
      if (m.wire.equals(wireName)) {
        return m;
      }
    }
    return null;
  }

  /** Every wire name, comma-separated (for error messages). */
  public static String known() {
    return Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", "));
  }
}
