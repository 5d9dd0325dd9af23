package io.mlserve.server.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides whether a failure's stack trace is worth logging again. A failing version (a canary
 * whose engine throws on every request) fails thousands of requests a second with the same
 * stack; logging each one floods the log and costs more than the requests. The first failure of
 * each signature per interval is logged with its stack, and says how many of the same kind were
 * logged in one line since; the others get one line each.
 *
 * <p>Bounded: at most {@code maxSignatures} signatures are tracked; when the table is full it
 * starts over (the next failure of each signature is logged in full again). This class is
 * thread-safe; the lock is held for a map lookup only.
 */
public final class StackTraceLimiter {
  private final LongSupplier nanos;
  private final long intervalNanos;
  private final int maxSignatures;
  // @GuardedBy("this")
  private final Map<String, long[]> seen = new HashMap<>(); // signature -> {last full, repeats}

  /**
   * @param nanos a monotonic clock in nanoseconds
   * @param interval how long after a full stack trace the same signature gets one line only
   * @param maxSignatures signatures remembered at most
   */
  public StackTraceLimiter(LongSupplier nanos, Duration interval, int maxSignatures) {
    this.nanos = Objects.requireNonNull(nanos, "nanos");
    this.intervalNanos = interval.toNanos();
    if (intervalNanos <= 0 || maxSignatures < 1) {
      throw new IllegalArgumentException("interval and maxSignatures must be positive");
    }
    this.maxSignatures = maxSignatures;
  }

  /**
   * Records one failure of {@code signature}.
   *
   * @return -1 when it should be logged as one line, else how many failures of the signature
   *     were logged as one line since its last full stack trace (log this one in full)
   */
  public synchronized long admit(String signature) {
    long now = nanos.getAsLong();
    long[] s = seen.get(signature);
    if (s == null) {
      if (seen.size() >= maxSignatures) {
        seen.clear();
      }
      seen.put(signature, new long[] {now, 0});
      return 0;
    }
    if (now - s[0] >= intervalNanos) {
      long repeats = s[1];
      s[0] = now;
      s[1] = 0;
      return repeats;
    }
    s[1]++;
    return -1;
  }
}
