package io.mlserve.server.cli;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.registry.SameContentValidator;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.model.EngineArtifactValidator;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.reference.EngineOutputPredictor;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import io.mlserve.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlserve demo}: makes a fresh store, registers the committed curve_forecaster 1.0.0,
 * promotes it to Production, adds its datasets ({@code holdout}, the validation split, and
 * {@code train_sample}, rows of the training split), gives its versions drift reference profiles
 * from {@code train_sample}, and serves it; a {@code --store} that an earlier demo made is
 * served again as it is (given what it lacks of these). The datasets and references are written
 * while the models already answer; the demo reports ready once they are in place. libtorch
 * starts before the command line is parsed ({@link #startEngineEarly}). Without {@code --store} the store is a
 * temporary directory that is removed when the demo ends, however it ends (stop, failed start,
 * SIGTERM/Ctrl-C); a {@code --store} given by the user is kept.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Create a fresh demo store with curve_forecaster 1.0.0 in Production and serve it.",
        "The demo compares drift and evaluates alert rules every 5s (--drift-interval and"
            + " --alert-interval change that)."})
final class DemoCommand implements Callable<Integer> {
  private static final String DEMO_MODEL = "curve_forecaster";

  @Option(names = "--store",
      description = "Where to create the demo store (absent or empty), or a demo store an earlier"
          + " run made there, served as it is; it is kept on exit. Default: a new temporary"
          + " directory, removed on exit")
  Path store;

  @Option(names = "--example-dir",
      description = "The demo model's directory. Default: <mlserve home>/examples/curve_forecaster")
  Path exampleDir;

  @Mixin ServeOptions options;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /**
   * The demo compares drift windows and evaluates alert rules this often unless told otherwise
   * (serve: every 30 s and 15 s), so that its drift and alerts answer within seconds.
   */
  static final String DEMO_INTERVAL = "5s";

  @Override
  public Integer call() throws Exception {
    var parsed = spec.commandLine().getParseResult();
    if (!parsed.hasMatchedOption("--drift-interval")) {
      options.drift.interval = DEMO_INTERVAL;
    }
    if (!parsed.hasMatchedOption("--alert-interval")) {
      options.alertInterval = DEMO_INTERVAL;
    }
    if (!options.validOrReport()) {
      return 2; // before a temporary store is created
    }
    String denied = store == null ? null : ServeCommand.notWritable(store);
    if (denied != null) {
      System.err.println("mlserve demo: " + denied);
      return 2;
    }
    boolean reuse = false;
    if (store != null && Files.isDirectory(store)) {
      try (Stream<Path> s = Files.list(store)) {
        if (s.findAny().isPresent()) {
          if (!isDemoStore(store)) {
            System.err.println("mlserve demo: --store " + store + " is not empty and holds no"
                + " demo store; give a new or empty directory (the demo creates a fresh store)");
            return 2;
          }
          reuse = true;
        }
      }
    }
    configureDjl();
    // libtorch loads beside the store's set-up and the server's wiring (see EnginePreload).
    EnginePreload.start(Engines.all(), reuse
        ? EnginePreload.servedFormats(ModelStore.open(store)) : demoFormats(exampleDir()));
    ExitActions exit = ExitActions.installed();
    try {
      if (reuse) {
        System.out.println("mlserve demo: serving the demo store " + store + " made by an earlier"
            + " run, as it is now (remove the directory for a fresh one)");
        return new ServerLauncher(options, exit).run(store, tryIt(exampleDir()),
            () -> demoData(store, exampleDir()));
      }
      Path dir = store != null ? store : temporaryStore(exit);
      return demo(dir, exit);
    } finally {
      exit.runAll();
    }
  }

  /** A new temporary directory, removed by {@code exit}. */
  private static Path temporaryStore(ExitActions exit) throws IOException {
    Path dir = Files.createTempDirectory("mlserve-demo-");
    exit.add(() -> {
      try {
        AtomicFiles.deleteRecursively(dir);
        System.out.println("mlserve demo: removed the temporary store " + dir);
      } catch (IOException e) {
        System.err.println("mlserve demo: could not remove the temporary store " + dir + ": "
            + e.getMessage());
      }
    });
    System.out.println("mlserve demo: temporary store " + dir
        + " (removed on exit; pass --store DIR to keep one)");
    return dir;
  }

  /** The demo model's format, from its manifest; none when that cannot be read (demo says why). */
  private static java.util.Set<String> demoFormats(Path example) {
    try {
      return java.util.Set.of(RegisterRequest.fromManifestFile(example.resolve("model.json"), "demo")
          .format());
    } catch (RuntimeException e) {
      return java.util.Set.of();
    }
  }

  /** Whether {@code dir} is a store an earlier demo made: it has the demo model's versions. */
  private static boolean isDemoStore(Path dir) {
    return Files.isRegularFile(dir.resolve(EventLog.FILE_NAME))
        && Files.isDirectory(dir.resolve(DEMO_MODEL).resolve("versions"));
  }

  private Path exampleDir() {
    return exampleDir != null ? exampleDir : home().resolve("examples/curve_forecaster");
  }

  private int demo(Path dir, ExitActions exit) throws Exception {
    Path example = exampleDir();
    Path manifestFile = example.resolve("model.json");
    if (!Files.isRegularFile(manifestFile)) {
      System.err.println("mlserve demo: " + manifestFile + " not found (set --example-dir)");
      return 2;
    }
    ModelStore modelStore = ModelStore.open(dir);
    // The registrations (each waits for libtorch, then validates) run beside the server's
    // wiring, which loads the store once they are in. The datasets and drift references are
    // written while the models already answer; the demo reports ready once they are in place.
    CompletableFuture<Void> registered = new CompletableFuture<>();
    Thread registering = new Thread(() -> {
      try {
        register(modelStore, manifestFile);
        registered.complete(null);
      } catch (Throwable e) { // the launcher closes what it opened and throws it
        registered.completeExceptionally(e);
      }
    }, "mlserve-demo-register");
    registering.setDaemon(true);
    registering.start();
    return new ServerLauncher(options, exit).run(dir, tryIt(example), registered,
        () -> demoData(dir, example));
  }

  /** Registers the demo's versions in {@code modelStore} (see {@link #registerReadmeExamples}). */
  private static void register(ModelStore modelStore, Path manifestFile) {
    ModelLoader validatorLoader =
        new ModelLoader(Engines.all(), Ticker.system(), Function.identity(),
            new MetricsRegistry(), Telemetry.disabled());
    try (EventLog events = EventLog.open(modelStore.root())) {
      // The three registrations are the same network: the engine validates its bytes once.
      ModelRegistry registry = new ModelRegistry(modelStore, events,
          new SameContentValidator(new EngineArtifactValidator(validatorLoader), 4),
          Clock.systemUTC());
      Manifest m = registry.register(RegisterRequest.fromManifestFile(manifestFile, "demo"));
      registry.promote(m.name(), m.version(), Stage.PRODUCTION, "demo", "demo setup");
      System.out.println("mlserve demo: registered " + m.name() + " " + m.version()
          + " (sha256 " + m.sha256().substring(0, 12) + "...) and promoted it to Production");
      registerReadmeExamples(registry, manifestFile);
    }
  }

  /**
   * The demo model's datasets ({@code holdout}, {@code train_sample}) and, for each of its
   * versions without one, the drift reference profile from {@code train_sample}, outputs through
   * the engine (a reused demo store gets what it lacks).
   */
  private static void demoData(Path dir, Path example) throws IOException {
    DemoData.addDatasets(dir, example);
    DemoData.addReferences(dir, new EngineOutputPredictor(new ModelLoader(
        Engines.all(), Ticker.system(), Function.identity(), new MetricsRegistry(),
        Telemetry.disabled()), Ticker.system()));
  }

  /** Offline, no tracking, one torch thread per worker unless the user says otherwise. */
  private void configureDjl() {
    configureDjl(options.torchThreads != null ? options.torchThreads : 1);
  }

  private static void configureDjl(int torchThreads) {
    EngineProperties.setDefaults(torchThreads);
  }

  /**
   * Starts libtorch for {@code mlserve demo ARGS...} before the command line is even parsed:
   * the demo always serves its TorchScript model, and the parser and the JVM's start take the
   * first ~0.5 s of a start, time the native load (~0.6 s) can use on another core. The engine
   * properties are set as {@link #call} would set them: {@code --torch-threads N}, else 1. With
   * a thread count that is not a number from 1 to 64, nothing starts (the parser reports it).
   *
   * @param args the command line after {@code demo}
   */
  static void startEngineEarly(List<String> args) {
    Integer threads = earlyTorchThreads(args);
    if (threads != null) {
      configureDjl(threads);
      EnginePreload.start(Engines.all(), java.util.Set.of("torchscript"));
    }
  }

  /**
   * The torch thread count {@code demo ARGS...} will run with ({@code --torch-threads N} or
   * {@code =N}, else 1); null when the engine should not start early: a count that is not a
   * number from 1 to 64, or a call for help or the version.
   */
  static Integer earlyTorchThreads(List<String> args) {
    String threads = "1";
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return null;
      } else if (a.equals("--torch-threads") && i + 1 < args.size()) {
        threads = args.get(i + 1);
      } else if (a.startsWith("--torch-threads=")) {
        threads = a.substring("--torch-threads=".length());
      }
    }
    return threads.matches("[1-9]|[1-5][0-9]|6[0-4]") ? Integer.valueOf(threads) : null;
  }

  /** The ready-to-paste calls printed once the ports are bound. */
  private static String tryIt(Path example) {
    return "Try it:\n  bin/mlserve infer --target localhost:{grpc_port} --model "
        + DEMO_MODEL + " --examples " + example.resolve("examples.json")
        + "\n  curl -s localhost:{http_port}/api/v1/predict -H 'Content-Type: application/json' "
        + "-d '{\"model\":\"" + DEMO_MODEL + "\",\"input\":[60,59,58,57,58,60,62,64,66,68,70,"
        + "71,70,68,66,64,62,61,60,61,62,64,66,67]}'";
  }

  /**
   * What the README's examples need beyond the Production version, so that each runs as written
   * against the demo (checked by {@code .ci/readme-commands.sh}): {@code curve_forecaster 1.1.0}
   * in Staging (the promote, Staging and {@code loadtest reload} examples) and a second model,
   * {@code curve_forecaster_b} 1.0.0 in Production (the traffic-mix example). Both are the same
   * committed network.
   */
  private static void registerReadmeExamples(ModelRegistry registry, Path manifestFile) {
    RegisterRequest base = RegisterRequest.fromManifestFile(manifestFile, "demo");
    registry.register(new RegisterRequest(base.model(), "1.1.0", base.artifact(), base.format(),
        base.signature(), base.serving(), base.runId(), base.params(), base.metrics(),
        base.description(), base.examples(), "demo"));
    registry.promote(base.model(), "1.1.0", Stage.STAGING, "demo", "demo setup");
    String second = base.model() + "_b";
    registry.register(new RegisterRequest(second, base.version(), base.artifact(), base.format(),
        base.signature(), base.serving(), base.runId(), base.params(), base.metrics(),
        base.description(), base.examples(), "demo"));
    registry.promote(second, base.version(), Stage.PRODUCTION, "demo", "demo setup");
    System.out.println("mlserve demo: also " + base.model() + " 1.1.0 in Staging and " + second
        + " " + base.version() + " in Production (the same network), for the README's examples");
  }

  static Path home() {
    String h = System.getProperty("mlserve.home");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }
}
