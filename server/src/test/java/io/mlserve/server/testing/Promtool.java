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
 * Lints a /metrics scrape with Prometheus' own {@code promtool check metrics}. Where promtool is
 * not installed the lint is the one check a test may skip: it says so with a WARNING line in the
 * build output and aborts only the calling test (so put the lint in a test or step of its own);
 * with {@code CI} set it fails instead ({@code .ci/run} installs promtool). Stateless;
 * thread-safe.
 */
public final class Promtool {
  private Promtool() {}

  /**
   * Lints {@code exposition}; {@code who} names the check in the skip warning.
   *
   * @throws org.opentest4j.TestAbortedException where promtool is missing outside CI
   */
  public static void lint(String exposition, String who) throws Exception {
    Optional<Path> promtool = find();
    if (promtool.isEmpty()) {
      assertNull(System.getenv("CI"), "CI must have promtool (.ci/run installs it)");
      System.err.println("WARNING: " + who + ": promtool not found on PATH; the /metrics lint"
          + " check is SKIPPED (install Prometheus' promtool, e.g. apt-get install prometheus,"
          + " to run it; the other checks ran)");
      Assumptions.abort("promtool not installed: /metrics lint skipped");
    }
    Process lint = new ProcessBuilder(promtool.get().toString(), "check", "metrics")
        .redirectErrorStream(true).start();
    try (var in = lint.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(lint.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, lint.exitValue(), "promtool check metrics: " + out);
  }

  /**
   * Runs {@code promtool test rules} on {@code testFile} (a rule unit-test file, with its
   * {@code rule_files} relative to it) and asserts it passes; skips as {@link #lint} does.
   */
  public static void unitTest(Path testFile, String who) throws Exception {
    Optional<Path> promtool = find();
    if (promtool.isEmpty()) {
      assertNull(System.getenv("CI"), "CI must have promtool (.ci/run installs it)");
      System.err.println("WARNING: " + who + ": promtool not found on PATH; the PromQL"
          + " comparison is SKIPPED (install Prometheus' promtool to run it)");
      Assumptions.abort("promtool not installed: PromQL comparison skipped");
    }
    Process run = new ProcessBuilder(promtool.get().toString(), "test", "rules",
        testFile.getFileName().toString()).directory(testFile.getParent().toFile())
        .redirectErrorStream(true).start();
    run.getOutputStream().close();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, run.exitValue(), "promtool test rules: " + out);
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
