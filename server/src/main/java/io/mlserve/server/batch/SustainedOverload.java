package io.mlserve.server.batch;

import java.util.concurrent.TimeUnit;

/**
 * Tells sustained overload from a burst and from a closed loop, so that only sustained overload
 * gets the tight admission limit of {@link QueueAdmission} (after CoDel and the adaptive queue of
 * "Fail at Scale"). Sustained: over a whole window ({@link #WINDOW_NANOS}, or 8 recent batch
 * times when longer) after the first one since an arriving request last found the queue empty,
 * requests arrived (admitted or refused) more than a sixteenth faster than batches took them. A
 * burst drains (the queue is found empty again); a closed loop of any depth sends one request per
 * one served.
 * Once a request was refused for it, the state holds until a window after the last such refusal:
 * refusing the excess may empty the queue for a moment while the overload goes on.
 *
 * <p>Not thread-safe: the {@link DynamicBatcher} calls it holding its lock, through
 * {@link QueueAdmission}.
 */
final class SustainedOverload {
  /** The shortest window over which arrivals are compared with what was served. */
  static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private long windowStartNanos;
  private long arrivals;
  private long served;
  /** The window began when the queue was found empty: the onset of load, not compared. */
  private boolean firstWindow = true;
  /** The last whole window's arrivals outpaced what was served. */
  private boolean outpaced;
  /** Whether a request was refused for sustained overload; then until when the state holds. */
  private boolean refused;
  private long holdUntilNanos;

  /** One request arrived at {@code now}, finding {@code queued} requests queued. */
  void arrived(long now, int queued, long batchNanos) {
    if (queued == 0) {
      windowStartNanos = now;
      arrivals = 0;
      served = 0;
      firstWindow = true;
      outpaced = false;
    } else {
      long window = Math.max(WINDOW_NANOS, batchNanos > Long.MAX_VALUE / 8 ? Long.MAX_VALUE
          : 8 * batchNanos);
      if (now - windowStartNanos >= window) {
        outpaced = !firstWindow && arrivals * 16 > served * 17;
        firstWindow = false;
        windowStartNanos = now;
        arrivals = 0;
        served = 0;
      }
    }
    arrivals++;
  }

  /** A batch of {@code requests} requests was taken from the queue. */
  void served(int requests) {
    served += requests;
  }

  /** Whether the load is sustained overload at {@code now}. */
  boolean sustained(long now) {
    return outpaced || (refused && now - holdUntilNanos < 0);
  }

  /** A request was refused at {@code now} for sustained overload. */
  void refusedAt(long now, long batchNanos) {
    refused = true;
    holdUntilNanos = now + Math.max(WINDOW_NANOS, batchNanos > Long.MAX_VALUE / 8
        ? Long.MAX_VALUE : 8 * batchNanos);
  }
}
