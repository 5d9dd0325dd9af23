package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.netty.ConnectionLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The connection-limit flags of {@code serve}: defaults, values, and bounds named on refusal. */
class ServeOptionsConnectionLimitsTest {
  private static ServeOptions parse(String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.options;
  }

  @Test
  void defaultsAreTheSafeOnes() {
    assertEquals(ConnectionLimits.defaults(), parse().connectionLimits());
  }

  @Test
  void flagsSetEveryLimit() {
    ConnectionLimits l = parse("--max-connections", "50", "--idle-timeout-seconds", "7",
        "--header-timeout-seconds", "3", "--body-timeout-seconds", "4",
        "--grpc-max-connection-age-seconds", "600", "--grpc-max-connection-age-grace-seconds",
        "5", "--grpc-permit-keepalive-seconds", "20").connectionLimits();
    assertEquals(new ConnectionLimits(50, Duration.ofSeconds(7), Duration.ofSeconds(3),
        Duration.ofSeconds(4), Duration.ofSeconds(600), Duration.ofSeconds(5),
        Duration.ofSeconds(20)), l);
  }

  @Test
  void outOfBoundsValuesAreRefusedNamingTheFlag() {
    String[][] bad = {{"--max-connections", "0"}, {"--max-connections", "1000001"},
        {"--idle-timeout-seconds", "0"}, {"--header-timeout-seconds", "86401"},
        {"--body-timeout-seconds", "-1"}, {"--grpc-max-connection-age-seconds", "-5"},
        {"--grpc-permit-keepalive-seconds", "0"}};
    for (String[] args : bad) {
      CommandLine.ParameterException e =
          assertThrows(CommandLine.ParameterException.class, () -> parse(args));
      assertTrue(e.getMessage().contains(args[0]) && e.getMessage().contains(args[1]),
          e.getMessage());
    }
  }
}
