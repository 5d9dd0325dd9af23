package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {
  @Test
  void parsesUnits() {
    assertEquals(Duration.ofSeconds(20), DurationConverter.parse("20s"));
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
    assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
    assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
    assertEquals(Duration.ofSeconds(3), DurationConverter.parse("3"));
    assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("fast"));
    assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("-1s"));
    assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("5 days"));
  }
}
