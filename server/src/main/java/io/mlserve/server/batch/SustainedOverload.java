package io.mlserve.server.batch;

import java.util.concurrent.TimeUnit;

/**
 * Tells sustained overload from a burst and from a closed loop of clients, so that only
 * sustained overload gets the tight admission limit of {@link QueueAdmission} (after CoDel and
 * the adaptive queue of "Fail at Scale"). Sustained: since an arriving request last found the
 * queue empty, the queue reached a new highest depth in each of {@link #RISING_WINDOWS} windows
 * in a row ({@link #WINDOW_NANOS}, or 8 recent batch times when longer), after the first window.
 * A burst drains (the queue is found empty again); a closed loop of any number of clients keeps
 * the queue at most that number deep, so after its first window it sets no new highs; an open
 * loop faster than the engine grows the queue without end (or holds it at the queue's count or
 * time bound, refusing there, which counts too once the queue stood a window). Once a request was
 * refused for it,
 * the state holds until a window after the last such refusal: refusing the excess drains the
 * queue (no new highs) while the overload goes on. A window rises only when its highest depth
 * exceeds the earlier ones' by more than {@link #risingMargin} (an eighth).
 *
 * <p>Not thread-safe: the {@link DynamicBatcher} calls it holding its lock, through
 * {@link QueueAdmission}.
 */
final class SustainedOverload {
  /** The shortest window over which the queue's highest depth is compared. */
  static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Windows in a row that must each set a new highest depth. */
  static final int RISING_WINDOWS = 3;

  private long windowStartNanos;
  /** When an arriving request last found the queue empty. */
  private long emptyAtNanos;
  /** The window began when the queue was found empty: the onset of load, only a reference. */
  private boolean firstWindow = true;
  /** The highest depth in the earlier windows, and in this one. */
  private int peak;
  private int windowPeak;
  private int risingWindows;
  /** Whether a request was refused for sustained overload; then until when the state holds. */
  private boolean refused;
  private long holdUntilNanos;

  /** One request arrived at {@code now}, finding {@code queued} requests queued. */
  void arrived(long now, int queued, long batchNanos) {
    if (queued == 0) {
      windowStartNanos = now;
      emptyAtNanos = now;
      firstWindow = true;
      peak = 0;
      windowPeak = 0;
      risingWindows = 0;
      return;
    }
    if (now - windowStartNanos >= window(batchNanos)) {
      if (firstWindow || windowPeak <= peak + risingMargin(peak)) {
        risingWindows = 0;
      } else {
        risingWindows++;
      }
      peak = Math.max(peak, windowPeak);
      firstWindow = false;
      windowStartNanos = now;
      windowPeak = 0;
    }
    windowPeak = Math.max(windowPeak, queued);
  }

  /** Whether the load is sustained overload at {@code now}. */
  boolean sustained(long now) {
    return risingWindows >= RISING_WINDOWS || (refused && now - holdUntilNanos < 0);
  }

  /** A request was refused at {@code now} for sustained overload. */
  void refusedAt(long now, long batchNanos) {
    refused = true;
    holdUntilNanos = now + window(batchNanos);
  }

  /**
   * A request was refused at {@code now} by the queue's count or time bound. Once the queue has
   * stood a whole window that is sustained overload too: a queue held at that bound sets no new
   * highs.
   */
  void refusedAtBound(long now, long batchNanos) {
    if (now - emptyAtNanos >= window(batchNanos)) {
      refusedAt(now, batchNanos);
    }
  }

  /**
   * How much a window's highest depth must exceed the earlier windows' to count as rising: an
   * eighth of that depth, at least one request. An open loop faster than the engine grows the
   * queue by a steady share each window; the depth of a closed loop's queue only wanders by the
   * few requests in transit, and three such steps in a row must not pass for overload (once
   * refused, a closed loop above the tight limit keeps renewing the state).
   */
  private static int risingMargin(int peak) {
    return Math.max(1, peak / 8);
  }

  private static long window(long batchNanos) {
    return Math.max(WINDOW_NANOS, batchNanos > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : 8 * batchNanos);
  }
}
