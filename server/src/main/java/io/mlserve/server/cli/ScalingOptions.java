package io.mlserve.server.cli;

import io.mlserve.store.ServingConfig;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The worker autoscaling flags of {@code serve} and {@code demo} (a mixin of
 * {@link ServeOptions}): bounds overriding every manifest's {@code min_instances} and
 * {@code max_instances}. Plain data; not thread-safe.
 */
final class ScalingOptions {
  @Option(names = "--min-instances", description = "Override every manifest's min_instances:"
      + " the fewest batcher workers autoscaling keeps per version (1 to 64).")
  Integer minInstances;

  @Option(names = "--max-instances", description = "Override every manifest's max_instances:"
      + " the most batcher workers autoscaling starts per version (1 to 64). Equal bounds fix"
      + " the count.")
  Integer maxInstances;

  /** What is wrong with the flags, one line each, added to {@code out}. */
  void problems(List<String> out) {
    check(out, "--min-instances", minInstances);
    check(out, "--max-instances", maxInstances);
    if (minInstances != null && maxInstances != null && minInstances > maxInstances) {
      out.add("--min-instances (" + minInstances + ") must not exceed --max-instances ("
          + maxInstances + ")");
    }
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
