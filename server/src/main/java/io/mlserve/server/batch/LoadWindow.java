package io.mlserve.server.batch;

import java.util.ArrayDeque;

/**
 * The {@link Load} over the last {@code length} of time, from marks of a {@link LoadIntegral}
 * taken every eighth of the length: a window covers the last {@code length} and at most one
 * eighth more, and only time since it was last {@link #restart restarted}. At most ten marks
 * are kept, whatever the length and however long nobody looked.
 *
 * <p>Marks are taken when the integral is about to change and when the load is asked for, so
 * {@link #advance} must be called before each change of the integral's counts (the integral's
 * counts held since its last change are what a mark between the two records).
 *
 * <p>Not thread-safe: the batcher calls it under its lock.
 */
final class LoadWindow {
  static final int STEPS = 8;

  private final long length;
  private final long step;
  // the mark at the restart, then marks every step; the oldest is the latest one at or before
  // (now - length) once the window is full
  private final ArrayDeque<LoadIntegral.Totals> marks = new ArrayDeque<>();
  private long nextMark;

  LoadWindow(long lengthNanos) {
    if (lengthNanos < STEPS) {
      throw new IllegalArgumentException("window too short: " + lengthNanos + " ns");
    }
    this.length = lengthNanos;
    this.step = lengthNanos / STEPS;
  }

  /** Forgets the load before {@code now}: the next load covers only time from then on. */
  void restart(long now, LoadIntegral integral) {
    marks.clear();
    LoadIntegral.Totals at = integral.at(now);
    marks.add(at);
    nextMark = at.nanos() + step;
  }

  /**
   * Takes the marks due up to {@code now} (the counts held since the integral's last change).
   * Starts the window at {@code now} the first time.
   */
  void advance(long now, LoadIntegral integral) {
    if (marks.isEmpty()) {
      restart(now, integral);
      return;
    }
    // marks older than one step before the window are dropped anyway: skip them
    long oldestUseful = now - length - step;
    if (nextMark < oldestUseful) {
      nextMark += (oldestUseful - nextMark) / step * step;
    }
    for (; nextMark <= now; nextMark += step) {
      marks.addLast(integral.at(nextMark));
      prune(now);
    }
  }

  /**
   * The load over the last {@code length} (up to one step more) ending {@code now}, or null when
   * less than {@code length} has passed since the restart.
   */
  Load over(long now, LoadIntegral integral) {
    advance(now, integral);
    prune(now);
    LoadIntegral.Totals start = marks.peekFirst();
    if (start == null || start.nanos() > now - length) {
      return null;
    }
    return integral.at(now).since(start);
  }

  // Keeps the latest mark at or before (now - length) and every later one.
  private void prune(long now) {
    while (marks.size() >= 2) {
      LoadIntegral.Totals first = marks.pollFirst();
      if (marks.peekFirst().nanos() > now - length) {
        marks.addFirst(first);
        return;
      }
    }
  }

  /** Marks held now. For tests. */
  int marks() {
    return marks.size();
  }
}
