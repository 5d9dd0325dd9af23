package io.mlserve.loadtest;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest run}: one run at a fixed rate (open loop) or concurrency (closed loop). With
 * neither, runs open loop at the objective's rate. Progress on stderr each second, the summary on
 * stdout, reports where asked. Not thread-safe; picocli calls it once.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "One run: open loop at --rate, or closed loop with --concurrency in flight.")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin TargetOptions target;
  @Mixin LoadOptions load;
  @Mixin OutputOptions output;

  @Option(names = "--rate", description = "Open loop: requests per second, on a fixed schedule.")
  Double rate;

  @Option(names = "--concurrency", description = "Closed loop: requests kept in flight.")
  Integer concurrency;

  @Override
  public Integer call() throws Exception {
    Slo slo;
    try {
      load.validate();
      slo = Slo.parse(load.slo);
      if (rate != null && concurrency != null) {
        throw new IllegalArgumentException("--rate and --concurrency exclude each other");
      }
      if (concurrency != null && (target.channels < 1 || target.channels > concurrency)) {
        throw new IllegalArgumentException("channels must be between 1 and concurrency ("
            + concurrency + "), got " + target.channels);
      }
      if (rate != null && !(rate > 0)) {
        throw new IllegalArgumentException("rate must be positive, got " + rate);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    double r = rate != null ? rate : concurrency != null ? 0 : slo != null ? slo.rate() : 100;
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunResult result;
    try (Target t = target.open(err, concurrency == null ? 0 : concurrency)) {
      HistogramLogWriter hlog = output.openHlog();
      try {
        result = LoadOptions.load(t, target, load, r, concurrency == null ? 0 : concurrency,
            load.warmup, load.duration, hlog, output.progress(err));
      } finally {
        if (hlog != null) {
          hlog.close();
        }
      }
    }
    Slo.Verdict verdict = Slo.check(result, slo);
    TextReport.print(result, out);
    out.println(verdict.reason() == null
        ? "  verdict     met" + (slo == null ? "" : " (" + slo + ")")
        : "  verdict     " + verdict.reason());
    out.flush();
    output.write(result, verdict);
    return verdict.exitCode();
  }
}
