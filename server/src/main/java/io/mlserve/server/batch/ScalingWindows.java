package io.mlserve.server.batch;

import java.util.concurrent.TimeUnit;

/**
 * How long a batcher's load must last before its worker count follows it: a worker is added
 * once the workers were busy enough, with requests waiting, over the last {@code upNanos}, and
 * removed once they were mostly idle over the last, longer, {@code downNanos}. Immutable.
 */
public record ScalingWindows(long upNanos, long downNanos) {
  /** The least window: a tenth of a second. */
  public static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The longest window: an hour. */
  public static final long MAX_NANOS = TimeUnit.HOURS.toNanos(1);
  /** Load over the last 2 s adds a worker; idleness over the last 30 s removes one. */
  public static final ScalingWindows DEFAULT =
      new ScalingWindows(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(30));

  public ScalingWindows {
    if (upNanos < MIN_NANOS || upNanos > MAX_NANOS || downNanos < MIN_NANOS
        || downNanos > MAX_NANOS) {
      throw new IllegalArgumentException("scaling windows must be between 100 ms and 1 hour, got"
          + " up " + TimeUnit.NANOSECONDS.toMillis(upNanos) + " ms, down "
          + TimeUnit.NANOSECONDS.toMillis(downNanos) + " ms");
    }
  }
}
