package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code mlserve demo} starts libtorch before its command line is parsed, with the thread count
 * the parsed command would set; anything the parser would refuse, or help, starts nothing.
 */
class DemoEarlyEngineStartTest {
  @Test
  void theThreadCountIsTheOneTheDemoWillUse() {
    assertEquals(1, DemoCommand.earlyTorchThreads(List.of("--store", "models")));
    assertEquals(4, DemoCommand.earlyTorchThreads(List.of("--torch-threads", "4")));
    assertEquals(64, DemoCommand.earlyTorchThreads(List.of("--torch-threads=64", "--bind",
        "127.0.0.1")));
  }

  @Test
  void aCountThatTheParserRefusesOrACallForHelpStartsNothing() {
    assertNull(DemoCommand.earlyTorchThreads(List.of("--torch-threads", "0")));
    assertNull(DemoCommand.earlyTorchThreads(List.of("--torch-threads=65")));
    assertNull(DemoCommand.earlyTorchThreads(List.of("--torch-threads", "four")));
    assertNull(DemoCommand.earlyTorchThreads(List.of("--help")));
    assertNull(DemoCommand.earlyTorchThreads(List.of("--store", "m", "-V")));
  }
}
