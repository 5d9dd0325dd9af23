package io.mlserve.server.history;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.store.AtomicFiles;
import io.mlserve.store.FileOps;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the sampler (not a test; run by {@code bench/history.sh}): 20 models x 3 versions of
 * fixture metrics fed directly (no engine), a manual clock, {@code seconds} ticks. Prints the
 * CPU time of each tick (this thread's CPU time around {@link MetricsSampler#tick}, the feeding
 * excluded) as a share of one core, and the bytes the history puts on disk, scaled to a day.
 *
 * <p>Arguments: seconds (default 3600), requests per version per second (default 50; 0: idle).
 */
public final class HistoryBench {
  private HistoryBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3600;
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path dir = Files.createTempDirectory("history-bench");
    try {
      run(dir, seconds, perSecond);
    } finally {
      AtomicFiles.deleteRecursively(dir);
    }
  }

  private static void run(Path dir, int seconds, int perSecond) throws Exception {
    MetricsRegistry registry = new MetricsRegistry();
    List<ModelMetrics> versions = new ArrayList<>();
    for (int m = 0; m < 20; m++) {
      for (int v = 0; v < 3; v++) {
        ModelMetrics mm = registry.forVersion("model_" + m, "1." + v + ".0");
        mm.queueDepthFrom(() -> 0);
        versions.add(mm);
      }
    }
    ManualClock clock = new ManualClock(20_000L * 86_400_000L);
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore store = new HistoryStore(dir, limits, FileOps.DEFAULT);
    MetricsSampler sampler = new MetricsSampler(registry, clock,
        new LiveRing(MetricsHistory.LIVE_SECONDS, MetricsHistory.MAX_LIVE_SERIES), store);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    SplittableRandom rnd = new SplittableRandom(15);
    sampler.tick();
    int warmup = Math.min(120, seconds / 10);
    long[] cpu = new long[seconds];
    for (int s = 0; s < seconds; s++) {
      for (ModelMetrics mm : versions) {
        for (int i = 0; i < perSecond; i++) {
          mm.requestStarted();
          long micros = 500 + (long) (2000 * -Math.log(1 - rnd.nextDouble()));
          mm.requestFinished(micros * 1000,
              rnd.nextInt(100) == 0 ? InferenceException.Kind.INTERNAL : null);
          registry.recordTransport(i % 2 == 0 ? "grpc" : "http");
        }
        if (perSecond > 0) {
          mm.onBatch(perSecond / 5, perSecond / 5, 1000);
        }
      }
      clock.advanceSeconds(1);
      long before = threads.getCurrentThreadCpuTime();
      sampler.tick();
      cpu[s] = threads.getCurrentThreadCpuTime() - before;
    }
    sampler.flush();
    store.close();
    long[] measured = Arrays.copyOfRange(cpu, warmup, seconds);
    Arrays.sort(measured);
    double mean = Arrays.stream(measured).average().orElse(0);
    long p99 = measured[(int) Math.min(measured.length - 1, measured.length * 0.99)];
    System.out.printf("versions=60 requests/version/s=%d ticks=%d (first %d not counted)%n",
        perSecond, seconds, warmup);
    System.out.printf("tick CPU: mean %.0f us, median %d us, p99 %d us; share of one core:"
        + " %.4f%% (mean)%n", mean / 1e3, measured[measured.length / 2] / 1000, p99 / 1000,
        mean / 1e9 * 100);
    for (Resolution r : store.resolutions()) {
      long bytes = 0;
      try (var files = Files.list(dir.resolve(".history").resolve(r.name()))) {
        for (Path p : files.toList()) {
          bytes += Files.size(p);
        }
      }
      System.out.printf("%s: %d bytes in %d s -> %.1f MiB a day%n", r.name(), bytes, seconds,
          bytes * 86_400.0 / seconds / (1 << 20));
    }
  }
}
