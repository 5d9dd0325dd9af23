package io.mlserve.server.cli;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.model.EngineArtifactValidator;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlserve demo}: makes a fresh store, registers the committed curve_forecaster 1.0.0,
 * promotes it to Production, and serves it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Create a fresh demo store with curve_forecaster 1.0.0 in Production and serve it.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--store",
      description = "Where to create the demo store (must be absent or empty). Default: a new "
          + "temporary directory")
  Path store;

  @Option(names = "--example-dir",
      description = "The demo model's directory. Default: <mlserve home>/examples/curve_forecaster")
  Path exampleDir;

  @Mixin ServeOptions options;

  @Override
  public Integer call() throws Exception {
    if (!options.validOrReport()) {
      return 2; // before a temporary store is created
    }
    Path dir = store != null ? store : Files.createTempDirectory("mlserve-demo-");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          System.err.println("mlserve demo: --store " + dir + " is not empty; give a new or empty"
              + " directory (the demo creates a fresh store)");
          return 2;
        }
      }
    }
    Path example = exampleDir != null ? exampleDir : home().resolve("examples/curve_forecaster");
    Path manifestFile = example.resolve("model.json");
    if (!Files.isRegularFile(manifestFile)) {
      System.err.println("mlserve demo: " + manifestFile + " not found (set --example-dir)");
      return 2;
    }
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", System.getProperty("OPT_OUT_TRACKING", "true"));
    System.setProperty("ai.djl.pytorch.num_threads",
        System.getProperty("ai.djl.pytorch.num_threads",
            String.valueOf(options.torchThreads != null ? options.torchThreads : 1)));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
    ModelStore modelStore = ModelStore.open(dir);
    ModelLoader validatorLoader =
        new ModelLoader(List.of(new DjlEngine()), Ticker.system(), Function.identity(),
            new MetricsRegistry(), Telemetry.disabled());
    try (EventLog events = EventLog.open(modelStore.root())) {
      ModelRegistry registry =
          new ModelRegistry(modelStore, events, new EngineArtifactValidator(validatorLoader),
              Clock.systemUTC());
      Manifest m = registry.register(RegisterRequest.fromManifestFile(manifestFile, "demo"));
      registry.promote(m.name(), m.version(), Stage.PRODUCTION, "demo", "demo setup");
      System.out.println("mlserve demo: registered " + m.name() + " " + m.version()
          + " (sha256 " + m.sha256().substring(0, 12) + "...) and promoted it to Production");
    }
    String call = "Try it:\n  bin/mlserve infer --target localhost:{grpc_port} --model "
        + "curve_forecaster --examples " + example.resolve("examples.json")
        + "\n  curl -s localhost:{http_port}/api/v1/predict -H 'Content-Type: application/json' "
        + "-d '{\"model\":\"curve_forecaster\",\"input\":[60,59,58,57,58,60,62,64,66,68,70,71,"
        + "70,68,66,64,62,61,60,61,62,64,66,67]}'";
    return new ServerLauncher(options).run(dir, call);
  }

  static Path home() {
    String h = System.getProperty("mlserve.home");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }
}
