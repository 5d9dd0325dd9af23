package io.mlserve.server.cli;

import java.io.IOException;
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
    String denied = notWritable(dir);
    if (denied != null) {
      System.err.println("mlserve serve: " + denied);
      return 2;
    }
    ExitActions exit = ExitActions.installed();
    try {
      return new ServerLauncher(options, exit).run(dir, null);
    } finally {
      exit.runAll();
    }
  }

  /**
   * Why this process cannot write the store {@code store} (the server keeps its lock, events and
   * rollbacks there), or create it where it does not exist yet, with what to do about it; null
   * when it can.
   */
  static String notWritable(Path store) {
    Path dir = store.toAbsolutePath();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null || Files.isWritable(dir)) {
      return null;
    }
    String user;
    try {
      user = "uid " + Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      user = "user " + System.getProperty("user.name");
    }
    return "cannot write " + dir + " (running as " + user + "); the server keeps its lock,"
        + " events and rollbacks in the store. Give this user write access, or in Docker run as"
        + " the store's owner: docker run --user \"$(id -u):$(id -g)\" ...";
  }

  static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
