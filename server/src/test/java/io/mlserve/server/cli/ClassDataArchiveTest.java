package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's class-data archive step never fails the build and never leaves a file the JVM
 * would map half-written (a cut-off archive crashes the JVM that maps it).
 */
class ClassDataArchiveTest {
  @TempDir Path dir;

  private static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  @Test
  void aTrainingRunThatFailsLeavesNoArchiveNotEvenTheOldOneAndSaysSoInOneLine() throws Exception {
    Path archive = dir.resolve("mlserve.jsa");
    Files.writeString(archive, "an archive of the jars this build replaced");
    // A classpath without the training class: the training JVM exits 1 at once.
    String said = new ClassDataArchive(archive, dir.resolve("missing.jar").toString(), dir,
        java()).make();
    assertTrue(said.startsWith("mlserve: no class-data archive (exit code 1 from the training"
        + " run; see "), said);
    assertTrue(said.endsWith("bin/mlserve starts without one, about a second slower"), said);
    assertFalse(said.contains("\n"), said);
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of("mlserve.jsa.log"),
          left.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void theTrainingRunsOnTheLaunchersClasspathAndTheCheckMustMapTheArchive() {
    ClassDataArchive a = new ClassDataArchive(dir.resolve("a.jsa"), "x.jar:lib/*", dir, java());
    Path tmp = dir.resolve("a.jsa.tmp-1");
    List<String> training = a.trainingCommand(tmp);
    assertTrue(training.contains("-XX:ArchiveClassesAtExit=" + tmp), training::toString);
    assertEquals("x.jar:lib/*", training.get(training.indexOf("-cp") + 1));
    assertEquals(ClassDataTraining.class.getName(), training.get(training.size() - 1));
    List<String> check = a.checkCommand(tmp);
    assertTrue(check.contains("-Xshare:on"), check::toString);
    assertTrue(check.contains("-XX:SharedArchiveFile=" + tmp), check::toString);
    assertEquals("x.jar:lib/*", check.get(check.indexOf("-cp") + 1));
  }
}
