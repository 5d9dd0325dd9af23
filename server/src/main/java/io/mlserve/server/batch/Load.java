package io.mlserve.server.batch;

import java.util.Locale;

/**
 * A batcher's time-weighted load over a span of time: the share of the workers' time spent
 * running batches (0 to 1, more while a removed worker finishes its batch) and the requests
 * waiting on average (by Little's law, the arrival rate times the mean wait in the queue).
 * Immutable.
 */
record Load(long nanos, double utilisation, double meanQueued) {
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.0f%% busy, %.1f queued on average over %.1f s", utilisation * 100,
        meanQueued, nanos / 1e9);
  }
}
