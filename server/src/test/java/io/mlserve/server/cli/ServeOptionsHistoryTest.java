package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mlserve.server.history.HistoryLimits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The metrics history's flags: bounded, and what they make of {@link HistoryLimits}. */
class ServeOptionsHistoryTest {
  private static ServeOptions parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options;
  }

  @ParameterizedTest(name = "{0} {1} ok, {0} {2} refused")
  @CsvSource({
      "--history-days,      366,     367,     1, 366",
      "--history-days,      1,       0,       1, 366",
      "--history-fine-days, 7,       8,       0, 7",
      "--history-fine-days, 0,       -1,      0, 7",
      "--history-max-mib,   1048576, 1048577, 1, 1048576",
      "--history-max-mib,   1,       0,       1, 1048576",
  })
  void everyHistoryFlagIsBounded(String flag, String ok, String refused, long min, long max) {
    assertEquals(List.of(), parse(flag, ok).problems());
    parse(flag, ok).historyLimits(); // every accepted value makes valid limits
    assertEquals(List.of(flag + " must be between " + min + " and " + max + ", got " + refused),
        parse(flag, refused).problems());
  }

  @Test
  void theFlagsMakeTheLimitsAndNoHistoryMakesNone() {
    HistoryLimits l = parse("--history-days", "7", "--history-fine-days", "2",
        "--history-max-mib", "64").historyLimits();
    assertEquals(7, l.coarse().retentionDays());
    assertEquals(2, l.fine().retentionDays());
    assertEquals(64L << 20, l.maxTotalBytes());
    assertEquals(HistoryLimits.defaults(), parse().historyLimits());
    assertNull(parse("--no-history").historyLimits());
  }
}
