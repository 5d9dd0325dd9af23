package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open-loop schedule on a fake clock: intended times, stalls, and who is to blame. */
class OpenLoopSchedulerTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000 * MS;

  /** A server answering in 1 ms, except that nothing completes during [stallFrom, stallTo). */
  static final class FakeServer implements Target {
    final FakeClock clock;
    final List<Long> intended = new ArrayList<>();
    long stallFrom = Long.MAX_VALUE;
    long stallTo = Long.MAX_VALUE;
    long sendCostNanos;

    FakeServer(FakeClock clock) {
      this.clock = clock;
    }

    @Override
    public void send(Call call, Sink sink) {
      intended.add(call.intendedNanos);
      long done0 = clock.nanoTime() + MS;
      clock.advance(sendCostNanos);
      clock.runDue();
      long done = sendCostNanos > 0 ? done0 : clock.nanoTime() + MS;
      if (done >= stallFrom && done < stallTo) {
        done = stallTo;
      }
      clock.schedule(done, () -> sink.completed(call, Outcome.OK, "1"));
    }

    @Override
    public int requests() {
      return 7;
    }

    @Override
    public int modelOf(int request) {
      return 0;
    }

    @Override
    public List<String> models() {
      return List.of("m");
    }

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    public void close() {}
  }

  static RunSetup setup(double rate, Duration duration) {
    return new RunSetup("fake", "fake", "m", true, rate, 0, 1, 24, false, Duration.ZERO,
        duration);
  }

  private static RunResult run(FakeClock clock, FakeServer server, double rate, Duration warmup,
      Duration duration, int maxInFlight) throws Exception {
    OpenLoopScheduler s = new OpenLoopScheduler(clock, server, rate, warmup, duration,
        maxInFlight, Duration.ofMillis(10));
    s.sendAll();
    clock.parkUntil(clock.nanoTime() + 60 * S); // every answer comes in
    assertEquals(0, s.inFlight());
    return Runner.result(s, setup(rate, duration), server.models(), List.of(), 0);
  }

  @Test
  void sendsAtIntendedTimesAndMeasuresFromThem() throws Exception {
    FakeClock clock = new FakeClock();
    long t0 = clock.nanoTime();
    FakeServer server = new FakeServer(clock);
    RunResult r = run(clock, server, 1000, Duration.ZERO, Duration.ofSeconds(1), 100);
    assertEquals(1000, server.intended.size());
    for (int i = 0; i < 1000; i++) {
      assertEquals(t0 + i * MS, server.intended.get(i));
    }
    assertEquals(1000, r.ok());
    assertEquals(1000.0, r.throughputRps(), 1e-9);
    assertEquals(1000, r.percentileUs(50), 5);
    assertEquals(1000, r.maxUs(), 5);
    assertFalse(r.generatorBehind());
    assertEquals(java.util.Map.of("1", 1000L), r.versions());
  }

  @Test
  void warmupRequestsAreExcluded() throws Exception {
    FakeClock clock = new FakeClock();
    FakeServer server = new FakeServer(clock);
    RunResult r = run(clock, server, 100, Duration.ofSeconds(1), Duration.ofSeconds(2), 100);
    assertEquals(300, server.intended.size());
    assertEquals(200, r.requests());
  }

  @Test
  void stalledServerShowsItsStallInThePercentiles() throws Exception {
    FakeClock clock = new FakeClock();
    FakeServer server = new FakeServer(clock);
    server.stallFrom = clock.nanoTime() + 5 * S;
    server.stallTo = clock.nanoTime() + 6 * S;
    RunResult r = run(clock, server, 1000, Duration.ZERO, Duration.ofSeconds(10), 10_000);
    assertEquals(10_000, r.requests());
    // About 1000 of 10,000 requests were meant to go out during the 1 s stall and waited for its
    // end: 10% of the distribution, spread evenly over 0-1 s. A coordinated-omission-prone
    // measurement would show one slow request and a clean p99.
    assertTrue(r.percentileUs(80) <= 1_100, "p80 " + r.percentileUs(80));
    long p95 = r.percentileUs(95);
    assertTrue(p95 > 400_000 && p95 < 600_000, "p95 " + p95);
    assertTrue(r.percentileUs(99) > 850_000, "p99 " + r.percentileUs(99));
    assertEquals(1_000_000, r.maxUs(), 5_000);
    assertFalse(r.generatorBehind(), "the server stalled, not the generator");
  }

  @Test
  void inFlightLimitWaitsAreTheServersNotTheGenerators() throws Exception {
    FakeClock clock = new FakeClock();
    FakeServer server = new FakeServer(clock);
    server.stallFrom = clock.nanoTime() + 2 * S;
    server.stallTo = clock.nanoTime() + 3 * S;
    RunResult r = run(clock, server, 1000, Duration.ZERO, Duration.ofSeconds(5), 10);
    assertTrue(r.generator().limitWaits() > 0);
    assertFalse(r.generatorBehind(), r.generator().toString());
    assertEquals(5_000, r.requests());
    // The requests held back by the limit still count their wait from the intended time.
    assertTrue(r.percentileUs(99) > 500_000, "p99 " + r.percentileUs(99));
  }

  @Test
  void slowGeneratorSaysSoAndStillMeasuresFromIntendedTimes() throws Exception {
    FakeClock clock = new FakeClock();
    long t0 = clock.nanoTime();
    FakeServer server = new FakeServer(clock);
    server.sendCostNanos = 2 * MS; // can send 500/s, asked for 1000/s
    RunResult r = run(clock, server, 1000, Duration.ZERO, Duration.ofSeconds(1), 10_000);
    assertEquals(1000, server.intended.size());
    assertEquals(t0 + 999 * MS, server.intended.get(999));
    assertTrue(r.generatorBehind(), String.valueOf(r.generator()));
    assertTrue(r.generator().behindReason().contains("could not keep up"));
    assertTrue(r.percentileUs(99) > 900_000, "p99 " + r.percentileUs(99));
    // Service time (from the actual send) shows the server itself was quick.
    assertTrue(r.servicePercentileUs(99) <= 3_100, "service p99 " + r.servicePercentileUs(99));
    assertEquals(Slo.EXIT_GENERATOR_BEHIND, Slo.check(r, null).exitCode());
  }

  @Test
  void unansweredRequestsAreCountedNotDropped() throws Exception {
    FakeClock clock = new FakeClock();
    FakeServer server = new FakeServer(clock);
    server.stallFrom = clock.nanoTime() + 500 * MS;
    server.stallTo = Long.MAX_VALUE - 1; // never answers again
    OpenLoopScheduler s = new OpenLoopScheduler(clock, server, 100, Duration.ZERO,
        Duration.ofSeconds(1), 1000, Duration.ofMillis(10));
    s.sendAll();
    clock.parkUntil(clock.nanoTime() + 2 * S);
    int unanswered = s.measurement().abandon(s.calls());
    assertTrue(unanswered >= 50, "unanswered " + unanswered);
    RunResult r = Runner.result(s, setup(100, Duration.ofSeconds(1)), List.of("m"), List.of(),
        unanswered);
    assertEquals(100, r.requests());
    assertEquals((long) unanswered, r.errors().get("NO_ANSWER"));
    assertTrue(r.maxUs() >= 2_000_000, "max " + r.maxUs());
  }
}
