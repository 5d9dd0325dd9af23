package io.mlserve.evaluation;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * Test time that moves only when advanced: a wall clock (start + elapsed) and a nanosecond
 * ticker (elapsed) over the same counter, so fake predictors can "take" time.
 */
final class FakeTime extends Clock implements LongSupplier {
  private final Instant start;
  private long elapsedNanos;

  FakeTime(Instant start) {
    this.start = start;
  }

  void advance(long nanos) {
    elapsedNanos += nanos;
  }

  @Override
  public long getAsLong() {
    return elapsedNanos;
  }

  @Override
  public Instant instant() {
    return start.plusNanos(elapsedNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("fixed to UTC");
  }
}
