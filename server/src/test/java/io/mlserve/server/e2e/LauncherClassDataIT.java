package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.DemoModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mlserve} and the class-data sharing archive: the build's archive is mapped when it
 * matches, and an archive the JVM cannot use (another JVM's, a stale one, not an archive at all)
 * never shows the user an error: the JVM starts without it, silently.
 */
class LauncherClassDataIT {
  @TempDir Path tmp;

  private static List<String> run(Map<String, String> env) throws Exception {
    try (LauncherProcess p = LauncherProcess.start(env, "--version")) {
      assertEquals(0, p.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS),
          p.output()::toString);
      return p.output();
    }
  }

  @Test
  void anArchiveThatNoLongerMatchesTheJarsIsPassedOverSilently() throws Exception {
    Path archive = buildArchive();
    Path target = DemoModel.repoRoot().resolve("server/target");
    Path jar;
    try (var jars = Files.list(target)) {
      jar = jars.filter(f -> f.getFileName().toString().matches("mlserve-server-.*\\.jar")
          && !f.getFileName().toString().contains("-tests")).findFirst().orElseThrow();
    }
    // The same classes in a jar with another time stamp: what a rebuilt jar looks like to the
    // archive (the JVM checks each jar's size and time; by itself it warns and goes on).
    Path copy = Files.copy(jar, tmp.resolve(jar.getFileName()));
    Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(jar).toMillis() - 60_000));
    List<String> out = run(Map.of("MLSERVE_CDS_ARCHIVE", archive.toString(),
        "MLSERVE_CLASSPATH", copy + ":" + target.resolve("lib") + "/*"));
    assertEquals(1, out.size(), out::toString);
    assertTrue(out.get(0).startsWith("mlserve "), out::toString);
  }

  private static Path buildArchive() {
    Path archive = DemoModel.repoRoot().resolve("server/target/mlserve.jsa");
    Assumptions.assumeTrue(Files.isRegularFile(archive),
        "the build made no archive (it says why in server/target/mlserve.jsa.log)");
    return archive;
  }

  @Test
  void theBuildsArchiveIsMappedWhenItMatches() throws Exception {
    buildArchive();
    // -Xlog:cds=info after the launcher's -Xlog:cds=off: the JVM says what it mapped.
    List<String> out = run(Map.of("MLSERVE_JAVA_OPTS", "-Xlog:cds=info"));
    assertTrue(out.stream().anyMatch(l -> l.contains("Mapped dynamic region")),
        out::toString);
  }
}
