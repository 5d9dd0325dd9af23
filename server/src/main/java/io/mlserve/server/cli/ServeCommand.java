package io.mlserve.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlserve serve --store DIR}: serves the Production version of every model in a store. A
 * store directory that does not exist is refused (a typo would otherwise serve nothing, and say
 * SERVING) unless {@code --create} asks for a new, empty one.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve every model of a store that has a Production version.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--store", description = "Store directory (env MLSERVE_STORE). Default: ./models")
  Path store;

  @Option(names = "--create",
      description = "Create the store directory (empty) when it does not exist. Without it, a"
          + " missing store is an error")
  boolean create;

  @Mixin ServeOptions options;

  @Override
  public Integer call() throws Exception {
    Path dir = store != null ? store : Path.of(envOr("MLSERVE_STORE", "models"));
    if (!Files.exists(dir) && !create) {
      System.err.println("mlserve serve: store " + dir + " does not exist; point --store (or"
          + " MLSERVE_STORE) at an existing store, or pass --create to start an empty one there");
      return 2;
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      System.err.println("mlserve serve: store " + dir + " is not a directory");
      return 2;
    }
    ExitActions exit = ExitActions.installed();
    try {
      return new ServerLauncher(options, exit).run(dir, null);
    } finally {
      exit.runAll();
    }
  }

  static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
