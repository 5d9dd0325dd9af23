package io.mlserve.server.batch;

/**
 * Decides when a batcher adds or removes a worker, from its time-weighted load over two sliding
 * windows ({@link LoadWindow}), with hysteresis.
 *
 * <p>The batcher reports every change of its counts (a request queued, a batch taken or
 * finished, a worker added or removed) to {@link #loadChanged}, so the busy time and the queue
 * are integrated exactly between two changes ({@link LoadIntegral}); a decision never rests on
 * one sample of a queue that another worker may have emptied a moment earlier.
 *
 * <ul>
 *   <li>A worker is added when, over the last {@link ScalingWindows#upNanos} (2 s by default),
 *       the workers were running batches at least {@value #UP_UTILISATION_PERCENT}% of their
 *       time and at least {@link #UP_MEAN_QUEUED} requests waited on average: the workers are
 *       the bottleneck and requests queue behind them.
 *   <li>A worker is removed when, over the last {@link ScalingWindows#downNanos} (30 s by
 *       default), the workers were busy less than {@value #DOWN_UTILISATION_PERCENT}% of their
 *       time. One worker fewer then runs at most twice that, below the upper threshold.
 *   <li>One step at a time, never outside [min, max]; each step restarts both windows, so the
 *       next step needs a full window of load measured with the new count.
 * </ul>
 *
 * <p>A burst shorter than the up window, or a lull shorter than the down window, moves the
 * averages but not always past a threshold; load that stays changes the count.
 *
 * <p>Not thread-safe: the batcher calls it under its lock.
 */
final class WorkerScaler {
  static final int UP_UTILISATION_PERCENT = 85;
  static final double UP_MEAN_QUEUED = 0.5;
  static final int DOWN_UTILISATION_PERCENT = 30;

  private final ScalingSettings settings;
  private final LoadIntegral integral = new LoadIntegral();
  private final LoadWindow up;
  private final LoadWindow down;
  private Load lastStepLoad;

  WorkerScaler(ScalingSettings settings) {
    this.settings = settings;
    this.up = new LoadWindow(settings.windows().upNanos());
    this.down = new LoadWindow(settings.windows().downNanos());
  }

  /**
   * The counts are these from {@code now} on.
   *
   * @param workers workers now
   * @param busy workers running a batch now
   * @param queued requests waiting now
   */
  void loadChanged(long now, int workers, int busy, int queued) {
    if (!integral.begun()) {
      integral.set(now, workers, busy, queued);
      up.restart(now, integral);
      down.restart(now, integral);
      return;
    }
    long at = Math.max(now, integral.lastChange());
    up.advance(at, integral);
    down.advance(at, integral);
    integral.set(at, workers, busy, queued);
  }

  /**
   * Decides at {@code now}, with the counts last given to {@link #loadChanged}.
   *
   * @param workers workers now
   * @return +1 to add a worker, -1 to remove one, 0 to keep the count
   */
  int decide(long now, int workers) {
    if (!integral.begun()) {
      return 0;
    }
    long at = Math.max(now, integral.lastChange());
    Load recent = up.over(at, integral);
    if (workers < settings.max() && recent != null
        && recent.utilisation() * 100 >= UP_UTILISATION_PERCENT
        && recent.meanQueued() >= UP_MEAN_QUEUED) {
      return step(at, recent, +1);
    }
    Load longer = down.over(at, integral);
    if (workers > settings.min() && longer != null
        && longer.utilisation() * 100 < DOWN_UTILISATION_PERCENT) {
      return step(at, longer, -1);
    }
    return 0;
  }

  /** The load that decided the last step, or null before any. For the log. */
  Load lastStepLoad() {
    return lastStepLoad;
  }

  private int step(long now, Load load, int delta) {
    lastStepLoad = load;
    up.restart(now, integral);
    down.restart(now, integral);
    return delta;
  }
}
