package io.mlserve.server.cli;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlserve soak-reload}: loads, warms, health-checks and closes one model version many
 * times, as hot reloads do, and prints the process's resident memory along the way, so a native
 * memory leak in the load/unload path shows. Used by bench/reload-rss.sh.
 */
@Command(name = "soak-reload", mixinStandardHelpOptions = true,
    description = "Load and unload a model version N times; print RSS at checkpoints.")
final class SoakReloadCommand implements Callable<Integer> {
  @Option(names = "--model-dir", description = "A version directory (model.json + artifact). "
      + "Default: <mlserve home>/examples/curve_forecaster")
  Path modelDir;

  @Option(names = "--cycles", defaultValue = "200")
  int cycles;

  @Option(names = "--checkpoints", split = ",", defaultValue = "1,10,50,100,150,200")
  List<Integer> checkpoints;

  @Override
  public Integer call() throws Exception {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    Path dir = modelDir != null ? modelDir : DemoCommand.home().resolve("examples/curve_forecaster");
    Manifest manifest = ManifestCodec.read(dir.resolve("model.json"));
    ModelLoader loader = new ModelLoader(Engines.all(), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    System.out.println("cycle,rss_mib,load_ms");
    for (int i = 1; i <= cycles; i++) {
      long t0 = System.nanoTime();
      ServedModel m = loader.load(dir, manifest);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      m.close();
      if (checkpoints.contains(i)) {
        System.gc();
        System.out.printf(Locale.ROOT, "%d,%.1f,%d%n", i, rssBytes() / 1048576.0, ms);
      }
    }
    return 0;
  }

  private static long rssBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
      }
    }
    return -1;
  }
}
