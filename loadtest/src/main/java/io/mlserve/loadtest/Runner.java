package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Runs one load phase end to end: probe, send (warm-up and window), drain, and fold the outcome
 * into a {@link RunResult}. Stateless; thread-safe.
 */
final class Runner {
  /** How long requests still in flight after the window may take before they count unanswered. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private Runner() {}

  /**
   * Sends one request and waits for it: null when it succeeded, else why the run cannot start,
   * with the failure's label put in {@code errors}.
   */
  static String probe(Target target, Duration timeout, Map<String, Long> errors)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger outcome = new AtomicInteger(-1);
    Call call = new Call(0);
    call.markInFlight();
    target.send(call, (c, o, v) -> {
      outcome.set(o);
      done.countDown();
    });
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      errors.put(Outcome.label(Outcome.NO_ANSWER), 1L);
      return "target unreachable (" + target.describe() + "): no answer within " + timeout;
    }
    int o = outcome.get();
    if (o == Outcome.OK) {
      return null;
    }
    errors.put(Outcome.label(o), 1L);
    boolean unreachable = o == Outcome.CONNECTION_ERROR
        || o == Outcome.grpc(io.grpc.Status.Code.UNAVAILABLE)
        || o == Outcome.grpc(io.grpc.Status.Code.DEADLINE_EXCEEDED);
    return (unreachable ? "target unreachable" : "probe request failed") + " ("
        + target.describe() + "): " + Outcome.label(o);
  }

  /**
   * Drives {@code driver} through its window, then waits up to {@link #DRAIN_TIMEOUT} for the
   * answers, counting the rest as unanswered.
   *
   * @param hlog writer for the measured intervals, or null
   * @param progress where the progress line goes each second, or null
   */
  static RunResult run(LoadDriver driver, RunSetup setup, List<String> models,
      ScheduledExecutorService ticker, HistogramLogWriter hlog, PrintWriter progress)
      throws InterruptedException {
    requireNonNull(driver, "driver");
    Timeline timeline = new Timeline(driver, hlog, progress);
    ScheduledFuture<?> ticks = ticker.scheduleAtFixedRate(timeline, 1, 1, TimeUnit.SECONDS);
    try {
      driver.sendAll();
      long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      while (driver.inFlight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      if (driver instanceof ClosedLoop closed) {
        // Lanes that failed last re-send through the scheduler; let them see the window closed.
        closed.awaitRetired(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
      }
    } finally {
      ticks.cancel(false);
    }
    int unfinished = driver.measurement().abandon(driver.calls());
    List<Timeline.Point> points = timeline.finish();
    return result(driver, setup, models, points, unfinished);
  }

  static RunResult result(LoadDriver driver, RunSetup setup, List<String> models,
      List<Timeline.Point> points, int unfinished) {
    PhaseStats m = driver.measurement().measure();
    Histogram[] totals = m.totals();
    List<RunResult.ModelResult> perModel = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      Histogram h = m.modelLatency(i);
      boolean any = h.getTotalCount() > 0;
      perModel.add(new RunResult.ModelResult(models.get(i), m.modelRequests(i), m.modelErrors(i),
          any ? h.getValueAtPercentile(50) : 0, any ? h.getValueAtPercentile(99) : 0));
    }
    return new RunResult(setup, setup.duration().toNanos(), m.ok(), m.errorsByLabel(), totals[0],
        totals[1], m.versions(), perModel, points, driver.generator(), unfinished, null,
        totals[2]);
  }
}
