package io.mlserve.server.history;

/**
 * The bounds of the persisted history. Immutable; thread-safe.
 *
 * @param fineRetentionDays days of 10 s buckets kept besides today (0 to 7)
 * @param coarseRetentionDays days of 1 min buckets kept besides today (1 to 366)
 * @param maxTotalBytes all segments and dictionaries together; past it the oldest days go
 *     (1 MiB to 1 TiB)
 * @param maxSegmentBytes one day of one resolution (64 KiB to 1 GiB)
 * @param maxSeriesPerDay series one resolution keeps a day (1 to 65536)
 * @param maxPointsPerSeries the most points one series has in a history answer (10 to 10000)
 * @param maxSeriesPerAnswer the most series one history answer holds (1 to 1000)
 */
public record HistoryLimits(int fineRetentionDays, int coarseRetentionDays, long maxTotalBytes,
    long maxSegmentBytes, int maxSeriesPerDay, int maxPointsPerSeries, int maxSeriesPerAnswer) {
  public HistoryLimits {
    check("fineRetentionDays", fineRetentionDays, 0, 7);
    check("coarseRetentionDays", coarseRetentionDays, 1, 366);
    check("maxTotalBytes", maxTotalBytes, 1L << 20, 1L << 40);
    check("maxSegmentBytes", maxSegmentBytes, 64L << 10, 1L << 30);
    check("maxSeriesPerDay", maxSeriesPerDay, 1, SegmentFormat.MAX_IDS);
    check("maxPointsPerSeries", maxPointsPerSeries, 10, 10_000);
    check("maxSeriesPerAnswer", maxSeriesPerAnswer, 1, 1000);
  }

  /**
   * 10 s kept a day (today and yesterday's file, so always the last 24 hours), 1 min kept 30
   * days, 1 GiB in all, 128 MiB a segment, 8192 series a day, 1440 points and 64 series an
   * answer.
   */
  public static HistoryLimits defaults() {
    return new HistoryLimits(1, 30, 1L << 30, 128L << 20, 8192, 1440, 64);
  }

  public HistoryLimits withRetention(int fineDays, int coarseDays) {
    return new HistoryLimits(fineDays, coarseDays, maxTotalBytes, maxSegmentBytes,
        maxSeriesPerDay, maxPointsPerSeries, maxSeriesPerAnswer);
  }

  public HistoryLimits withMaxTotalBytes(long bytes) {
    return new HistoryLimits(fineRetentionDays, coarseRetentionDays, bytes, maxSegmentBytes,
        maxSeriesPerDay, maxPointsPerSeries, maxSeriesPerAnswer);
  }

  public HistoryLimits withMaxSegmentBytes(long bytes) {
    return new HistoryLimits(fineRetentionDays, coarseRetentionDays, maxTotalBytes, bytes,
        maxSeriesPerDay, maxPointsPerSeries, maxSeriesPerAnswer);
  }

  public HistoryLimits withMaxSeriesPerDay(int n) {
    return new HistoryLimits(fineRetentionDays, coarseRetentionDays, maxTotalBytes,
        maxSegmentBytes, n, maxPointsPerSeries, maxSeriesPerAnswer);
  }

  /** The fine (10 s) resolution. */
  public Resolution fine() {
    return new Resolution("10s", 10, fineRetentionDays);
  }

  /** The coarse (1 min) resolution. */
  public Resolution coarse() {
    return new Resolution("1m", 60, coarseRetentionDays);
  }

  private static void check(String what, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(what + " must be " + min + " to " + max + ", got " + v);
    }
  }
}
