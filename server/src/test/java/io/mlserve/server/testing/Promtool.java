package io.mlserve.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus' own {@code promtool}: lints a /metrics scrape ({@code check metrics}), checks
 * and unit-tests rules files ({@code check rules}, {@code test rules}). Where promtool is not
 * installed these are the checks a test may skip: it says so with a WARNING line in the build
 * output and aborts only the calling test (so put each in a test or step of its own); with
 * {@code CI} set it fails instead ({@code .ci/run} installs promtool). Stateless; thread-safe.
 */
public final class Promtool {
  private Promtool() {}

  /**
   * Lints {@code exposition}; {@code who} names the check in the skip warning.
   *
   * @throws org.opentest4j.TestAbortedException where promtool is missing outside CI
   */
  public static void lint(String exposition, String who) throws Exception {
    Path promtool = required(who, "the /metrics lint");
    Process lint = new ProcessBuilder(promtool.toString(), "check", "metrics")
        .redirectErrorStream(true).start();
    try (var in = lint.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(lint.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, lint.exitValue(), "promtool check metrics: " + out);
  }

  /**
   * Runs {@code promtool args...} in {@code dir} and expects exit 0; {@code who} and {@code what}
   * name the check in the skip warning.
   *
   * @return promtool's output
   * @throws org.opentest4j.TestAbortedException where promtool is missing outside CI
   */
  public static String run(String who, String what, Path dir, String... args) throws Exception {
    Path promtool = required(who, what);
    String[] command = new String[args.length + 1];
    command[0] = promtool.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, p.exitValue(), () -> "promtool " + String.join(" ", args) + ":\n" + out);
    return out;
  }

  private static Path required(String who, String what) {
    Optional<Path> promtool = find();
    if (promtool.isEmpty()) {
      assertNull(System.getenv("CI"), "CI must have promtool (.ci/run installs it)");
      System.err.println("WARNING: " + who + ": promtool not found on PATH; " + what + " is"
          + " SKIPPED (install Prometheus' promtool, e.g. apt-get install prometheus, to run it;"
          + " the other checks ran)");
      Assumptions.abort("promtool not installed: " + what + " skipped");
    }
    return promtool.get();
  }

  /**
   * promtool on the PATH; {@code -Dmlserve.promtool=PATH} names another (a path that is not an
   * executable, e.g. {@code none}, shows the skip).
   */
  static Optional<Path> find() {
    String named = System.getProperty("mlserve.promtool");
    Stream<Path> candidates = named != null ? Stream.of(Path.of(named))
        : Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .filter(d -> !d.isBlank()).map(d -> Path.of(d, "promtool"));
    return candidates.filter(Files::isExecutable).findFirst();
  }
}
