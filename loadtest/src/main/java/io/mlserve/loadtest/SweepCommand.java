package io.mlserve.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest sweep}: open-loop steps at rising rates until one breaks the p99 target (or
 * fails more than 1% of requests, or falls short of its rate), then a few bisection steps between
 * the last good and the first bad rate; reports the highest sustainable rate. A step where the
 * generator could not keep up ends the sweep with that said: the server's limit is then above
 * what this machine can offer, not at it. Not thread-safe; picocli calls it once.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Step the rate up until p99 breaks --p99; report the highest sustainable rate.")
final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin TargetOptions target;
  @Mixin OutputOptions output;

  @Option(names = "--p99", defaultValue = "10ms", converter = DurationConverter.class,
      description = "p99 each step must stay within. Default: ${DEFAULT-VALUE}")
  Duration p99;

  @Option(names = "--start-rate", defaultValue = "100",
      description = "First step's rate, req/s. Default: ${DEFAULT-VALUE}")
  double startRate;

  @Option(names = "--factor", defaultValue = "1.5",
      description = "Each step's rate is the last one's times this. Default: ${DEFAULT-VALUE}")
  double factor;

  @Option(names = "--refine", defaultValue = "2",
      description = "Bisection steps after the first failure. Default: ${DEFAULT-VALUE}")
  int refine;

  @Option(names = "--max-steps", defaultValue = "20",
      description = "Most rising steps. Default: ${DEFAULT-VALUE}")
  int maxSteps;

  @Option(names = "--step-duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured window per step. Default: ${DEFAULT-VALUE}")
  Duration stepDuration;

  @Option(names = "--step-warmup", defaultValue = "3s", converter = DurationConverter.class,
      description = "Warm-up per step. Default: ${DEFAULT-VALUE}")
  Duration stepWarmup;

  @Option(names = "--max-in-flight", defaultValue = "10000",
      description = "Most requests outstanding at once. Default: ${DEFAULT-VALUE}")
  int maxInFlight;

  @Option(names = "--max-lag", defaultValue = "10ms", converter = DurationConverter.class,
      description = "Generator lateness that counts as falling behind. Default: ${DEFAULT-VALUE}")
  Duration maxLag;

  /** One step's rate, result and why it failed (null when it held). */
  record Step(double rate, RunResult result, String failure) {}

  @Override
  public Integer call() throws Exception {
    if (!(startRate > 0) || !(factor > 1) || maxSteps < 1 || refine < 0) {
      throw new ParameterException(spec.commandLine(),
          "need --start-rate > 0, --factor > 1, --max-steps >= 1, --refine >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadOptions l = new LoadOptions();
    l.maxInFlight = maxInFlight;
    l.maxLag = maxLag;
    List<Step> steps = new ArrayList<>();
    try {
      try (Target t = target.open(err)) {
        runSteps(t, l, err, steps);
      }
    } finally {
      // Every way out writes the reports asked for, with the steps there were.
      report(steps, out);
    }
    Step best = best(steps);
    Step broke = broke(steps);
    if (broke != null && broke.result().aborted() && best == null) {
      return broke.result().abortExitCode();
    }
    if (broke != null && broke.result().generatorBehind()) {
      return Slo.EXIT_GENERATOR_BEHIND;
    }
    return best == null ? Slo.EXIT_MISSED : Slo.EXIT_MET;
  }

  /** Rising steps until one fails, then bisection between the last good and the first bad. */
  private void runSteps(Target t, LoadOptions l, PrintWriter err, List<Step> steps)
      throws Exception {
    Step best = null;
    Step broke = null;
    double rate = startRate;
    for (int i = 0; i < maxSteps && broke == null; i++, rate *= factor) {
      Step s = step(t, l, rate, err);
      steps.add(s);
      if (s.failure() == null) {
        best = s;
      } else {
        broke = s;
      }
    }
    double lo = best == null ? 0 : best.rate();
    double hi = broke == null ? 0 : broke.rate();
    for (int i = 0; i < refine && broke != null && best != null
        && !broke.result().generatorBehind() && !broke.result().aborted(); i++) {
      double mid = (lo + hi) / 2;
      Step s = step(t, l, mid, err);
      steps.add(s);
      if (s.failure() == null) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
  }

  /** The held step of the highest rate, or null. */
  static Step best(List<Step> steps) {
    Step best = null;
    for (Step s : steps) {
      if (s.failure() == null && (best == null || s.rate() > best.rate())) {
        best = s;
      }
    }
    return best;
  }

  /** The first step that failed (the one that ended the rising steps), or null. */
  static Step broke(List<Step> steps) {
    return steps.stream().filter(s -> s.failure() != null).findFirst().orElse(null);
  }

  /**
   * Prints the table and writes what was asked: {@code sweep.md}, the sweep's HTML report (the
   * steps' table and a rate-vs-p99 plot) and the JSON of the best step (else the last one).
   */
  private void report(List<Step> steps, PrintWriter out) throws IOException {
    Step best = best(steps);
    Step broke = broke(steps);
    String table = table(steps, best, broke);
    out.print(table);
    out.flush();
    if (output.out != null || output.json != null) {
      Path md = output.out != null ? output.out.resolve("sweep.md")
          : output.json.resolveSibling(output.json.getFileName() + ".md");
      JsonReport.write(table, md);
    }
    if (output.html() != null) {
      SweepReport.write(steps, best, p99, table, output.html());
    }
    Step shown = best != null ? best : steps.isEmpty() ? null : steps.get(steps.size() - 1);
    if (shown != null && output.json() != null) {
      JsonReport.write(JsonReport.render(shown.result(), Slo.check(shown.result(), null)),
          output.json());
    }
  }

  private Step step(Target t, LoadOptions l, double rate, PrintWriter err) throws Exception {
    err.printf(Locale.ROOT, "sweep: step at %.0f req/s%n", rate);
    err.flush();
    RunResult r = LoadOptions.load(t, target, l, rate, 0, stepWarmup, stepDuration, null,
        output.progress(err));
    Slo.Verdict v = Slo.check(r, null);
    String failure = v.reason();
    if (failure == null && r.percentileUs(99) > p99.toNanos() / 1_000) {
      failure = "p99 " + TextReport.micros(r.percentileUs(99)) + " > "
          + TextReport.micros(p99.toNanos() / 1_000);
    }
    if (failure == null && r.throughputRps() < rate * Slo.RATE_TOLERANCE) {
      failure = String.format(Locale.ROOT, "throughput %.0f req/s short of %.0f",
          r.throughputRps(), rate);
    }
    return new Step(rate, r, failure);
  }

  static String table(List<Step> steps, Step best, Step broke) {
    StringBuilder sb = new StringBuilder();
    sb.append("| offered req/s | achieved req/s | p50 | p99 | max | errors | verdict |\n")
        .append("|---:|---:|---:|---:|---:|---:|---|\n");
    for (Step s : steps) {
      RunResult r = s.result();
      sb.append(String.format(Locale.ROOT, "| %.0f | %.0f | %s | %s | %s | %d | %s |%n",
          s.rate(), r.throughputRps(), TextReport.micros(r.percentileUs(50)),
          TextReport.micros(r.percentileUs(99)), TextReport.micros(r.maxUs()), r.failed(),
          s.failure() == null ? "held" : s.failure().replace('|', '/')));
    }
    sb.append('\n');
    if (best == null) {
      sb.append("No sustainable rate: the first step already failed.\n");
    } else {
      sb.append(String.format(Locale.ROOT, "Highest sustainable rate: %.0f req/s (p99 %s).%n",
          best.result().throughputRps(), TextReport.micros(best.result().percentileUs(99))));
    }
    if (broke != null && broke.result().generatorBehind()) {
      sb.append("The generator, not the server, was the limit at ")
          .append(String.format(Locale.ROOT, "%.0f", broke.rate()))
          .append(" req/s: the server's limit is above that on this machine.\n");
    } else if (broke == null && best != null) {
      sb.append("Nothing broke within --max-steps; the limit is higher.\n");
    }
    return sb.toString();
  }
}
