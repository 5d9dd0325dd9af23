package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code .ci/readme-commands.sh}: every command of README.md's bash blocks, in order,
 * against one {@code bin/mlserve demo} (the script starts and stops it and lists what it skips,
 * and why). Lives in the loadtest module because it needs every launcher's module packaged:
 * the reactor builds this module last (it depends on the server for that reason alone).
 */
class ReadmeCommandsIT {
  /** The script's own waits are bounded (demo 120 s, 90 s a command); this bounds the whole. */
  private static final long LIMIT_SECONDS = 600;

  @Test
  void everyReadmeCommandRunsAsWrittenAgainstTheDemo() throws Exception {
    Path root = repoRoot();
    Path log = Path.of("target", "readme-commands.log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder("bash", root.resolve(".ci/readme-commands.sh").toString())
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean finished = p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
    if (!finished) {
      // SIGTERM first: the script's trap stops the demo and removes its scratch directory.
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertTrue(finished, "readme-commands.sh still running after " + LIMIT_SECONDS + " s:\n"
        + output);
    assertEquals(0, p.exitValue(), "a README command failed:\n" + output);
    assertTrue(output.contains(" passed, 0 failed"), output);
  }

  private static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve(".ci/readme-commands.sh"))) {
        return d;
      }
    }
    throw new IllegalStateException("no .ci/readme-commands.sh above "
        + Path.of("").toAbsolutePath());
  }
}
