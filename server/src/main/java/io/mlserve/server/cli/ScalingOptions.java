package io.mlserve.server.cli;

import io.mlserve.server.batch.ScalingWindows;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.ServingConfig.Range;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * The worker autoscaling flags of {@code serve} and {@code demo} (a mixin of
 * {@link ServeOptions}): bounds overriding every manifest's {@code min_instances} and
 * {@code max_instances}, and the windows over which the load must hold before the count
 * follows it. Plain data; not thread-safe.
 */
final class ScalingOptions {
  static final Range WINDOW_MS = new Range(
      TimeUnit.NANOSECONDS.toMillis(ScalingWindows.MIN_NANOS),
      TimeUnit.NANOSECONDS.toMillis(ScalingWindows.MAX_NANOS));

  @Option(names = "--min-instances", description = "Override every manifest's min_instances:"
      + " the fewest batcher workers autoscaling keeps per version (1 to 64).")
  Integer minInstances;

  @Option(names = "--max-instances", description = "Override every manifest's max_instances:"
      + " the most batcher workers autoscaling starts per version (1 to 64). Equal bounds fix"
      + " the count.")
  Integer maxInstances;

  @Option(names = "--scale-up-window-ms", description = "Add a worker when the workers were busy"
      + " at least 85%% of the time with requests waiting over this window (100 to 3600000;"
      + " default 2000).")
  long upWindowMs = TimeUnit.NANOSECONDS.toMillis(ScalingWindows.DEFAULT.upNanos());

  @Option(names = "--scale-down-window-ms", description = "Remove a worker when the workers were"
      + " busy less than 30%% of the time over this window (100 to 3600000; default 30000).")
  long downWindowMs = TimeUnit.NANOSECONDS.toMillis(ScalingWindows.DEFAULT.downNanos());

  /** What is wrong with the flags, one line each, added to {@code out}. */
  void problems(List<String> out) {
    check(out, "--min-instances", minInstances);
    check(out, "--max-instances", maxInstances);
    for (String why : new String[] {WINDOW_MS.check("--scale-up-window-ms", upWindowMs),
        WINDOW_MS.check("--scale-down-window-ms", downWindowMs)}) {
      if (why != null) {
        out.add(why);
      }
    }
    if (minInstances != null && maxInstances != null && minInstances > maxInstances) {
      out.add("--min-instances (" + minInstances + ") must not exceed --max-instances ("
          + maxInstances + ")");
    }
  }

  /** The scaling windows of these flags. Call once {@link #problems} found none. */
  ScalingWindows windows() {
    return new ScalingWindows(TimeUnit.MILLISECONDS.toNanos(upWindowMs),
        TimeUnit.MILLISECONDS.toNanos(downWindowMs));
  }

  /**
   * {@code serving} with these flags' bounds; a bound given alone keeps the manifest's other
   * bound unless that would cross it (then both take the flag's value).
   */
  ServingConfig applyTo(ServingConfig serving) {
    if (minInstances == null && maxInstances == null) {
      return serving;
    }
    Integer min = minInstances != null ? minInstances : serving.minInstances();
    Integer max = maxInstances != null ? maxInstances : serving.maxInstances();
    if (min != null && max != null && min > max) {
      if (minInstances != null) {
        max = min;
      } else {
        min = max;
      }
    }
    return serving.withScaling(min, max);
  }

  private static void check(List<String> out, String flag, Integer value) {
    if (value != null) {
      String why = ServingConfig.INSTANCES.check(flag, value);
      if (why != null) {
        out.add(why);
      }
    }
  }
}
