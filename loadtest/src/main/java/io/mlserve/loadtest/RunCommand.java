package io.mlserve.loadtest;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest run}: one closed-loop run against a target. Wires Netty channels, a scheduler
 * and a {@link ClosedLoopDriver}; prints progress to stderr each second and the summary to stdout.
 * Not thread-safe; picocli calls it once.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Closed loop: keep --concurrency ModelInfer calls in flight for --duration.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
        "0:run completed, at most 1%% of requests failed",
        "1:more than 1%% of requests failed, or none completed",
        "2:bad command line",
        "3:target unreachable, or the first (probe) request failed"})
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, description = "host:port of the gRPC endpoint.")
  String target;

  @Option(names = "--model", defaultValue = "curve_forecaster",
      description = "Model name. Default: ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--concurrency", defaultValue = "64",
      description = "Requests in flight. Default: ${DEFAULT-VALUE}")
  int concurrency;

  @Option(names = "--channels", defaultValue = "1",
      description = "Channels (connections) the calls are spread over. Default: ${DEFAULT-VALUE}")
  int channels;

  @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
      description = "Measured window (20s, 500ms, 2m). Default: ${DEFAULT-VALUE}")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
      description = "Warm-up before the window, not reported. Default: ${DEFAULT-VALUE}")
  Duration warmup;

  @Option(names = "--features", defaultValue = "24",
      description = "Values in the FP32 row, shape [1,N]. Default: ${DEFAULT-VALUE}")
  int features;

  @Option(names = "--input-name", defaultValue = "curve",
      description = "Input tensor name. Default: ${DEFAULT-VALUE}")
  String inputName;

  @Option(names = "--raw", description = "Send raw_input_contents instead of typed contents.")
  boolean raw;

  @Option(names = "--connect-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the probe request may take. Default: ${DEFAULT-VALUE}")
  Duration connectTimeout;

  @Option(names = "--json", description = "Also write the summary as JSON to this file.")
  Path json;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    RunSpec runSpec;
    try {
      runSpec = new RunSpec(target, model, concurrency, channels, duration, warmup, features,
          inputName, raw, connectTimeout);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ManagedChannel> opened = new ArrayList<>();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadtest-scheduler");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < runSpec.channels(); i++) {
        // directExecutor: completions run on the transport thread, which sends the next call.
        opened.add(NettyChannelBuilder.forTarget(runSpec.target()).usePlaintext()
            .directExecutor().build());
      }
      ClosedLoopDriver driver = new ClosedLoopDriver(runSpec, opened, scheduler);
      ScheduledFuture<?> progress = quiet ? null : scheduler.scheduleAtFixedRate(
          new ProgressReporter(driver, err), 1, 1, TimeUnit.SECONDS);
      RunResult result = driver.run();
      if (progress != null) {
        progress.cancel(false);
      }
      TextReport.print(result, out);
      if (json != null) {
        JsonReport.write(result, json);
      }
      return result.exitCode();
    } finally {
      scheduler.shutdownNow();
      for (ManagedChannel c : opened) {
        c.shutdownNow();
      }
      for (ManagedChannel c : opened) {
        c.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
