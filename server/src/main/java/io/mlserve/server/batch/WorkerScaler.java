package io.mlserve.server.batch;

/**
 * Decides, from samples of a batcher's load, when it adds or removes a worker, with hysteresis.
 * The batcher is <em>overloaded</em> when more requests are queued than it has workers, or when
 * requests are queued and at least 85% of its workers are running a batch; it is <em>idle</em>
 * when nothing is queued and fewer than 30% of its workers are running a batch. A worker is added
 * when every sample for {@link ScalingSettings#upAfterNanos} was overloaded, and removed when
 * every sample for the longer {@link ScalingSettings#downAfterNanos} was idle; a sample in between
 * restarts the window, so a short burst changes nothing. One step at a time, at most one per
 * cool-down, never outside [min, max].
 *
 * <p>Not thread-safe: the batcher calls it under its lock.
 */
final class WorkerScaler {
  static final int UP_UTILISATION_PERCENT = 85;
  static final int DOWN_UTILISATION_PERCENT = 30;

  private final ScalingSettings settings;
  private long overloadedSince = -1;
  private long idleSince = -1;
  private long lastStep;
  private boolean stepped;

  WorkerScaler(ScalingSettings settings) {
    this.settings = settings;
  }

  /**
   * Takes one sample.
   *
   * @param workers workers now
   * @param busy workers running a batch now
   * @param queued requests waiting now
   * @return +1 to add a worker, -1 to remove one, 0 to keep the count
   */
  int sample(long now, int workers, int busy, int queued) {
    boolean overloaded = queued > workers
        || (queued > 0 && busy * 100L >= (long) UP_UTILISATION_PERCENT * workers);
    boolean idle = queued == 0 && busy * 100L < (long) DOWN_UTILISATION_PERCENT * workers;
    overloadedSince = overloaded ? (overloadedSince < 0 ? now : overloadedSince) : -1;
    idleSince = idle ? (idleSince < 0 ? now : idleSince) : -1;
    if (stepped && now - lastStep < settings.cooldownNanos()) {
      return 0;
    }
    if (overloaded && workers < settings.max()
        && now - overloadedSince >= settings.upAfterNanos()) {
      return step(now, +1);
    }
    if (idle && workers > settings.min() && now - idleSince >= settings.downAfterNanos()) {
      return step(now, -1);
    }
    return 0;
  }

  private int step(long now, int delta) {
    stepped = true;
    lastStep = now;
    // the next step needs a full window of its own
    overloadedSince = delta > 0 ? now : -1;
    idleSince = delta < 0 ? now : -1;
    return delta;
  }
}
