package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native-linking steps the demo runs before libtorch's load: each one runs here (a step
 * that threw would be skipped silently at a start, so this is where a broken one shows), and the
 * scratch files of the file step are gone afterwards.
 */
class NativePrelinkTest {
  @Test
  void everyStepRuns(@TempDir Path tmp) throws Exception {
    for (NativePrelink.Step s : NativePrelink.steps(tmp)) {
      s.run();
    }
    assertEquals(0, NativePrelink.run());
  }

  @Test
  void aFailingStepIsSkipped(@TempDir Path tmp) {
    // A scratch directory that does not exist: the file step fails, the others still run.
    assertEquals(1, NativePrelink.run(tmp.resolve("absent")));
  }

  @Test
  void leavesNoScratchFiles(@TempDir Path tmp) throws IOException {
    assertEquals(0, NativePrelink.run(tmp));
    try (Stream<Path> left = Files.list(tmp)) {
      assertTrue(left.findAny().isEmpty(), "scratch files left behind");
    }
  }
}
