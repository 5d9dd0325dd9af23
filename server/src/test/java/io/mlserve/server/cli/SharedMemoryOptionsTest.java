package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SharedMemoryOptionsTest {
  private static SharedMemoryOptions parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options.sharedMemory;
  }

  @Test
  void onWithoutAnAdminTokenOffWithOneUnlessAskedFor() {
    assertTrue(parse().enabled(false));
    assertFalse(parse().enabled(true));
    assertTrue(parse("--system-shared-memory").enabled(true));
    assertFalse(parse("--no-system-shared-memory").enabled(false));
    assertTrue(parse("--system-shared-memory").registry(true).enabled());
    assertFalse(parse().registry(true).enabled());
  }

  @Test
  void boundsAreChecked() {
    List<String> problems = new ArrayList<>();
    parse("--shm-max-regions", "0", "--shm-max-bytes", "0").problems(problems);
    assertEquals(2, problems.size(), problems.toString());
    problems.clear();
    parse("--shm-max-regions", "8", "--shm-max-bytes", "1048576").problems(problems);
    assertEquals(List.of(), problems);
  }
}
