package io.mlserve.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StackTraceLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final StackTraceLimiter limiter =
      new StackTraceLimiter(now::get, Duration.ofSeconds(60), 2);

  @Test
  void firstFailureOfASignatureIsLoggedInFullTheRepeatsInOneLine() {
    assertEquals(0, limiter.admit("engine: boom"));
    assertEquals(-1, limiter.admit("engine: boom"));
    assertEquals(-1, limiter.admit("engine: boom"));
    assertEquals(0, limiter.admit("engine: other"), "another signature is logged in full");
  }

  @Test
  void afterTheIntervalTheNextOneIsLoggedInFullWithTheCountOfRepeats() {
    limiter.admit("boom");
    limiter.admit("boom");
    limiter.admit("boom");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertEquals(-1, limiter.admit("boom"));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertEquals(3, limiter.admit("boom"));
    assertEquals(-1, limiter.admit("boom"));
  }

  @Test
  void theTableIsBoundedAndStartsOverWhenFull() {
    limiter.admit("a");
    limiter.admit("b");
    assertEquals(0, limiter.admit("c"), "a third signature clears the table of two");
    assertEquals(0, limiter.admit("a"), "so a is new again");
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThrows(IllegalArgumentException.class,
        () -> new StackTraceLimiter(now::get, Duration.ZERO, 1));
  }
}
