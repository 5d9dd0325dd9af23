package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.annotation.concurrent.GuardedBy;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Once a second: swaps out the interval histograms of the running phase, keeps a {@link Point}
 * per measured second for the over-time chart, appends the interval to the HdrHistogram log, and
 * prints the one-line progress display (achieved rate, in flight, p99 so far, errors, and how far
 * the generator trails its schedule when it does).
 *
 * <p>This class is thread-safe: ticks and {@link #finish()} take turns on one lock.
 */
final class Timeline implements Runnable {
  /** Generator lateness above this is shown on the progress line. */
  static final long SHOW_BEHIND_NANOS = 10_000_000;

  /**
   * One measured interval: seconds since the window opened at its end, completions, failures,
   * completion rate, and latency percentiles of the requests completed in it (microseconds).
   */
  record Point(double t, long requests, long errors, double rps, long p50Us, long p99Us,
      long maxUs) {}

  private final LoadDriver driver;
  private final HistogramLogWriter hlog;
  private final PrintWriter progress;
  private final Object lock = new Object();
  private final long startNanos;
  private final long startMillis = System.currentTimeMillis();

  @GuardedBy("lock")
  private final List<Point> points = new ArrayList<>();
  @GuardedBy("lock")
  private long lastNanos;
  @GuardedBy("lock")
  private long lastCompleted;
  @GuardedBy("lock")
  private long lastErrors;
  @GuardedBy("lock")
  private boolean headerWritten;

  /**
   * @param hlog where measured intervals go, or null
   * @param progress where the progress line goes, or null for none
   */
  Timeline(LoadDriver driver, HistogramLogWriter hlog, PrintWriter progress) {
    this.driver = requireNonNull(driver, "driver");
    this.hlog = hlog;
    this.progress = progress;
    this.startNanos = driver.measurement().clock().nanoTime();
    this.lastNanos = startNanos;
  }

  @Override
  public void run() {
    tick(true);
  }

  /** The last tick (no progress line) after the drain; returns the measured points. */
  List<Point> finish() {
    synchronized (lock) {
      tick(false);
      return List.copyOf(points);
    }
  }

  private void tick(boolean print) {
    synchronized (lock) {
      Measurement m = driver.measurement();
      long now = m.clock().nanoTime();
      m.warmup().takeInterval();
      Histogram interval = m.measure().takeInterval();
      long errors = m.measure().errors();
      double seconds = (now - lastNanos) / 1e9;
      if (now > m.warmupEnd() && (interval.getTotalCount() > 0 || now <= m.windowEnd())) {
        long count = interval.getTotalCount();
        points.add(new Point(Math.max(0, (now - m.warmupEnd()) / 1e9), count, errors - lastErrors,
            seconds > 0 ? count / seconds : 0,
            count == 0 ? 0 : interval.getValueAtPercentile(50),
            count == 0 ? 0 : interval.getValueAtPercentile(99),
            count == 0 ? 0 : interval.getMaxValue()));
        writeHlog(interval, lastNanos, now);
      }
      lastErrors = errors;
      long completed = driver.completed();
      if (print && progress != null) {
        double rate = seconds > 0 ? (completed - lastCompleted) / seconds : 0;
        PhaseStats stats = driver.stats();
        long behind = driver.behindNanos();
        progress.printf(Locale.ROOT,
            "[%4ds] %-7s %8.0f req/s  in flight %5d  p99 %10s  errors %d%s%n",
            (now - startNanos) / 1_000_000_000L, driver.phase(), rate, driver.inFlight(),
            TextReport.micros(stats.totalPercentile(99)), stats.errors(),
            behind > SHOW_BEHIND_NANOS ? String.format(Locale.ROOT,
                "  GENERATOR BEHIND by %d ms", behind / 1_000_000) : "");
        progress.flush();
      }
      lastCompleted = completed;
      lastNanos = now;
    }
  }

  @GuardedBy("lock")
  private void writeHlog(Histogram interval, long fromNanos, long toNanos) {
    if (hlog == null) {
      return;
    }
    if (!headerWritten) {
      hlog.outputComment("mlserve loadtest: latency from intended send time, microseconds;"
          + " max column in milliseconds");
      hlog.outputLogFormatVersion();
      hlog.outputStartTime(startMillis);
      hlog.outputLegend();
      headerWritten = true;
    }
    hlog.outputIntervalHistogram((fromNanos - startNanos) / 1e9, (toNanos - startNanos) / 1e9,
        interval, 1_000.0);
  }
}
