package io.mlserve.loadtest;

/**
 * How well an open-loop generator kept to its schedule in the measured window. A send is
 * <em>late</em> when it went out more than {@code thresholdUs} after its intended time for a reason
 * of the generator's own (CPU, GC); lateness caused by the in-flight limit, which only a server
 * holding that many requests can cause, is counted apart in {@code limitWaits}.
 *
 * @param rate requested rate, requests per second
 * @param sends sends intended in the measured window
 * @param late of which late for the generator's own reasons
 * @param maxLagUs the largest such lateness
 * @param lagP99Us 99th percentile of every send's lateness, whatever its cause
 * @param limitWaits times a send had to wait for the in-flight limit
 * @param maxInFlight the in-flight limit
 * @param thresholdUs lateness above which a send counts as late
 */
record GeneratorReport(double rate, long sends, long late, long maxLagUs, long lagP99Us,
    long limitWaits, int maxInFlight, long thresholdUs) {
  /** Share of sends that may be late before the run no longer measures the server. */
  static final double MAX_LATE_SHARE = 0.01;

  /** True when the generator, not the server, set the pace: the latencies are not the server's. */
  boolean behind() {
    return late > Math.max(1, sends * MAX_LATE_SHARE);
  }

  /** Why the run does not measure the server, or null when it does. */
  String behindReason() {
    if (!behind()) {
      return null;
    }
    return String.format(java.util.Locale.ROOT,
        "generator could not keep up with %.0f req/s: %d of %d sends (%.1f%%) went out more than"
            + " %s late, up to %s; the latency figures include that delay and are not the"
            + " server's",
        rate, late, sends, 100.0 * late / Math.max(1, sends), TextReport.micros(thresholdUs),
        TextReport.micros(maxLagUs));
  }
}
