package io.mlserve.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlserve serve --store DIR}: serves the Production version of every model in a store. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve every model of a store that has a Production version.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--store", description = "Store directory (env MLSERVE_STORE). Default: ./models")
  Path store;

  @Mixin ServeOptions options;

  @Override
  public Integer call() throws Exception {
    Path dir = store != null ? store : Path.of(envOr("MLSERVE_STORE", "models"));
    return new ServerLauncher(options).run(dir, null);
  }

  static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
