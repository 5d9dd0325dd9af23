package io.mlserve.server.reload;

import java.time.Duration;

/**
 * When the post-promotion guard rolls a new Production version back: within {@code window}
 * after the swap, once at least {@code minRequests} requests reached it, if its error rate
 * exceeds {@code maxErrorRate} or its p95 total latency exceeds {@code maxP95}. The defaults are
 * the seed's alert thresholds: 1% errors, 200 ms p95.
 */
public record GuardPolicy(Duration window, double maxErrorRate, Duration maxP95, long minRequests) {
  public GuardPolicy {
    if (window.isNegative() || maxErrorRate < 0 || maxP95.isNegative() || minRequests < 1) {
      throw new IllegalArgumentException("bad guard policy " + window + " " + maxErrorRate + " "
          + maxP95 + " " + minRequests);
    }
  }

  public static GuardPolicy defaults() {
    return new GuardPolicy(Duration.ofMinutes(5), 0.01, Duration.ofMillis(200), 20);
  }

  /** A guard that never acts. */
  public static GuardPolicy off() {
    return new GuardPolicy(Duration.ZERO, 1.0, Duration.ofDays(1), Long.MAX_VALUE);
  }
}
