package io.mlserve.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a {@code promtool check ...} command on files (a Prometheus config, a rules file) and
 * asserts it passes. Found and skipped as {@link Promtool#lint} is: where promtool is not
 * installed the calling test is aborted with a WARNING line, and with {@code CI} set it fails.
 * Stateless; thread-safe.
 */
public final class PromtoolCheck {
  private PromtoolCheck() {}

  /**
   * Runs {@code promtool check <what> <files...>}; returns its output.
   *
   * @throws org.opentest4j.TestAbortedException where promtool is missing outside CI
   */
  public static String check(String who, String what, Path... files) throws Exception {
    Optional<Path> promtool = Promtool.find();
    if (promtool.isEmpty()) {
      assertNull(System.getenv("CI"), "CI must have promtool (.ci/run installs it)");
      System.err.println("WARNING: " + who + ": promtool not found on PATH; `promtool check "
          + what + "` is SKIPPED (install Prometheus' promtool to run it; the other checks ran)");
      Assumptions.abort("promtool not installed: promtool check " + what + " skipped");
    }
    List<String> command = new ArrayList<>(List.of(promtool.get().toString(), "check", what));
    for (Path f : files) {
      command.add(f.toString());
    }
    Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
    run.getOutputStream().close();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, run.exitValue(), "promtool check " + what + ": " + out);
    return out;
  }
}
