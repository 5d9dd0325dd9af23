package io.mlserve.loadtest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Option;

/**
 * How long and how the generator behaves; shared by the commands (a picocli mixin), plus the one
 * place a load phase is started from options. Not thread-safe.
 */
final class LoadOptions {
  @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
      description = "Measured window (20s, 500ms, 2m). Default: ${DEFAULT-VALUE}")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
      description = "Warm-up before the window, excluded from results. Default: ${DEFAULT-VALUE}")
  Duration warmup;

  @Option(names = "--max-in-flight", defaultValue = "10000",
      description = "Open loop: most requests outstanding at once. Default: ${DEFAULT-VALUE}")
  int maxInFlight;

  @Option(names = "--max-lag", defaultValue = "10ms", converter = DurationConverter.class,
      description = "Open loop: a send later than this is the generator's lateness; more than 1%%"
          + " such sends flags the run (exit 4). Default: ${DEFAULT-VALUE}")
  Duration maxLag;

  @Option(names = "--slo", defaultValue = Slo.SEED,
      description = "Objective that sets the exit code, pNN=LATENCY@RATErps, or none."
          + " Default: ${DEFAULT-VALUE}")
  String slo;

  void validate() {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
    }
    Slo.parse(slo);
  }

  /**
   * One load phase: probe once, then open loop at {@code rate} (when positive) or closed loop
   * with {@code concurrency} in flight.
   */
  static RunResult load(Target target, TargetOptions t, LoadOptions l, double rate,
      int concurrency, Duration warmup, Duration duration, HistogramLogWriter hlog,
      PrintWriter progress) throws InterruptedException {
    boolean open = rate > 0;
    RunSetup setup = new RunSetup(t.target, target.describe(), t.modelNames(), open,
        open ? rate : 0, open ? 0 : concurrency, t.channels, t.features, t.raw, warmup, duration);
    TreeMap<String, Long> probeErrors = new TreeMap<>();
    RunResult.Abort failure = Runner.probe(target, t.connectTimeout, probeErrors);
    if (failure != null) {
      return RunResult.aborted(setup, probeErrors, failure);
    }
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "loadtest-ticker");
      th.setDaemon(true);
      return th;
    });
    try {
      LoadDriver driver = open
          ? new OpenLoopScheduler(Clock.SYSTEM, target, rate, warmup, duration, l.maxInFlight,
              l.maxLag)
          : new ClosedLoop(Clock.SYSTEM, target, concurrency, warmup, duration, ticker);
      List<String> models = target.models();
      return Runner.run(driver, setup, models, ticker, hlog, progress);
    } finally {
      ticker.shutdownNow();
    }
  }
}
