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
   * Sends one request to each model of the mix, in turn, and waits for each: null when all
   * succeeded, else why the run cannot start (with the exit code that says it), the failure's
   * label put in {@code errors}. A refused request (not found, bad input, auth) is sent once
   * more through a plain client so the message can show what the server said.
   */
  static RunResult.Abort probe(Target target, Duration timeout, Map<String, Long> errors)
      throws InterruptedException {
    List<String> models = target.models();
    boolean[] probed = new boolean[models.size()];
    for (int k = 0; k < target.requests(); k++) {
      int m = target.modelOf(k);
      if (probed[m]) {
        continue;
      }
      probed[m] = true;
      RunResult.Abort abort = probeOne(target, k, models.get(m), timeout, errors);
      if (abort != null) {
        return abort;
      }
    }
    return null;
  }

  private static RunResult.Abort probeOne(Target target, int request, String model,
      Duration timeout, Map<String, Long> errors) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger outcome = new AtomicInteger(-1);
    Call call = new Call(0);
    call.request = request;
    call.markInFlight();
    target.send(call, (c, o, v) -> {
      outcome.set(o);
      done.countDown();
    });
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      errors.put(Outcome.label(Outcome.NO_ANSWER), 1L);
      return new RunResult.Abort(Slo.EXIT_UNREACHABLE, "target unreachable ("
          + target.describe() + "): no answer within " + timeout);
    }
    int o = outcome.get();
    if (o == Outcome.OK) {
      return null;
    }
    errors.put(Outcome.label(o), 1L);
    if (o == Outcome.CONNECTION_ERROR || o == Outcome.grpc(io.grpc.Status.Code.UNAVAILABLE)
        || o == Outcome.grpc(io.grpc.Status.Code.DEADLINE_EXCEEDED)) {
      return new RunResult.Abort(Slo.EXIT_UNREACHABLE, "target unreachable ("
          + target.describe() + "): " + Outcome.label(o));
    }
    String said = target.explain(request, timeout);
    String answer = said != null ? said : Outcome.label(o);
    if (o == Outcome.http(404) || o == Outcome.grpc(io.grpc.Status.Code.NOT_FOUND)) {
      return new RunResult.Abort(Slo.EXIT_NOT_FOUND, "model '" + model + "' not found on "
          + target.describe().split(" ")[0] + ": the server answered " + answer);
    }
    return new RunResult.Abort(Slo.EXIT_REFUSED, "the server refused the probe request for"
        + " model '" + model + "' (" + target.describe() + "): " + answer);
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
