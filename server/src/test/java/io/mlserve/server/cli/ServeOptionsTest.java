package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.batch.ScalingWindows;
import io.mlserve.store.ServingConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ServeOptionsTest {
  private static ServeOptions parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options;
  }

  @Test
  void defaultsAreValid() {
    assertEquals(List.of(), parse().problems());
  }

  /** Each flag: the last value in range is accepted, the first one outside is named. */
  @ParameterizedTest(name = "{0} {1} ok, {0} {2} refused")
  @CsvSource({
      "--max-batch-size,         4096,      4097,       1,    4096",
      "--max-batch-size,         1,         0,          1,    4096",
      "--max-queue-delay-us,     1000000,   1000001,    0,    1000000",
      "--max-queue-delay-us,     0,         -1,         0,    1000000",
      "--instances,              64,        1000,       1,    64",
      "--instances,              1,         0,          1,    64",
      "--queue-timeout-us,       60000000,  60000001,   100,  60000000",
      "--queue-timeout-us,       100,       99,         100,  60000000",
      "--torch-threads,          64,        65,         1,    64",
      "--torch-threads,          1,         0,          1,    64",
      "--grpc-threads,           256,       257,        0,    256",
      "--grpc-threads,           0,         -1,         0,    256",
      "--max-message-bytes,      268435456, 268435457,  1024, 268435456",
      "--max-message-bytes,      1024,      1023,       1024, 268435456",
      "--guard-window-seconds,   86400,     86401,      0,    86400",
      "--guard-max-p95-ms,       600000,    0,          1,    600000",
      "--guard-min-requests,     10000000,  0,          1,    10000000",
      "--shutdown-grace-seconds, 3600,      3601,       0,    3600",
      "--shutdown-grace-seconds, 0,         -1,         0,    3600",
      "--grpc-port,              65535,     65536,      0,    65535",
      "--http-port,              0,         -1,         0,    65535",
      "--feedback-predictions,   0,         10000001,   0,    10000000",
      "--feedback-memory-mib,    65536,     0,          1,    65536",
      "--feedback-ttl-seconds,   604800,    604801,     1,    604800",
      "--scale-up-window-ms,     100,       99,         100,  3600000",
      "--scale-down-window-ms,   3600000,   3600001,    100,  3600000",
  })
  void everyNumericFlagIsBounded(String flag, String ok, String refused, long min, long max) {
    assertEquals(List.of(), parse(flag, ok).problems());
    parse(flag, ok).experimentConfig(); // every accepted value makes a valid config
    assertEquals(List.of(flag + " must be between " + min + " and " + max + ", got " + refused),
        parse(flag, refused).problems());
  }

  @Test
  void errorRateIsAFraction() {
    assertEquals(List.of(), parse("--guard-max-error-rate", "1").problems());
    assertEquals(List.of("--guard-max-error-rate must be between 0 and 1, got 1.5"),
        parse("--guard-max-error-rate", "1.5").problems());
    assertEquals(List.of("--guard-max-error-rate must be between 0 and 1, got NaN"),
        parse("--guard-max-error-rate", "NaN").problems());
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertEquals(2, parse("--instances", "1000", "--max-batch-size", "100000000").problems()
        .size());
  }

  @Test
  void overridesApplyToTheManifestsConfig() {
    ServingConfig manifest = new ServingConfig(32, 0, 256, 2, "cpu", 1, 100_000);
    assertEquals(new ServingConfig(16, 200, 256, 3, "cpu", 2, 5_000).withIdleUnloadSeconds(600),
        parse("--max-batch-size", "16", "--max-queue-delay-us", "200", "--instances", "3",
            "--torch-threads", "2", "--queue-timeout-us", "5000").applyTo(manifest));
    assertEquals(manifest.withMaxBatchSize(1).withIdleUnloadSeconds(600),
        parse("--batching", "off").applyTo(manifest));
    assertEquals(manifest.withIdleUnloadSeconds(600), parse().applyTo(manifest));
  }

  @Test
  void idleUnloadFlagIsBoundedAndDefaultsManifestsThatSayNothing() {
    assertEquals(List.of("--idle-unload-seconds must be between 0 and 604800, got 604801"),
        parse("--idle-unload-seconds", "604801").problems());
    assertEquals(List.of("--idle-unload-seconds must be between 0 and 604800, got -1"),
        parse("--idle-unload-seconds", "-1").problems());
    ServingConfig silent = ServingConfig.defaults();
    assertEquals(600, parse().applyTo(silent).idleUnloadSecondsOrNever(), "default 10 min");
    assertEquals(5, parse("--idle-unload-seconds", "5").applyTo(silent)
        .idleUnloadSecondsOrNever());
    assertEquals(0, parse("--idle-unload-seconds", "0").applyTo(silent)
        .idleUnloadSecondsOrNever(), "0: never");
    assertEquals(30, parse("--idle-unload-seconds", "5").applyTo(silent.withIdleUnloadSeconds(30))
        .idleUnloadSecondsOrNever(), "the manifest's own value wins");
  }

  @Test
  void scalingFlagsAreBoundedAndOverrideEveryManifest() {
    assertEquals(List.of("--min-instances must be between 1 and 64, got 0"),
        parse("--min-instances", "0").problems());
    assertEquals(List.of("--max-instances must be between 1 and 64, got 65"),
        parse("--max-instances", "65").problems());
    assertEquals(List.of("--min-instances (5) must not exceed --max-instances (2)"),
        parse("--min-instances", "5", "--max-instances", "2").problems());
    ServingConfig manifest = new ServingConfig(32, 0, 256, 2, "cpu", 1, 100_000);
    manifest = manifest.withIdleUnloadSeconds(600); // the flag's default, as every applyTo sets
    assertEquals(manifest.withScaling(1, 8),
        parse("--min-instances", "1", "--max-instances", "8").applyTo(manifest));
    ServingConfig scaled = manifest.withScaling(2, 4);
    assertEquals(manifest.withScaling(2, 6), parse("--max-instances", "6").applyTo(scaled));
    assertEquals(manifest.withScaling(5, 5), parse("--min-instances", "5").applyTo(scaled),
        "a flag crossing the manifest's other bound moves it along");
    assertEquals(ScalingWindows.DEFAULT, parse().scalingWindows());
    assertEquals(
        new ScalingWindows(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(3)),
        parse("--scale-up-window-ms", "500", "--scale-down-window-ms", "3000").scalingWindows());
  }
}
