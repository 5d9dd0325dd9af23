package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.Sockets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror over a shadow version loaded through the real loader (real batcher and validator;
 * the engine a {@link ControlledRunner}, y = 2x, that can be made to throw or hang). The
 * primary's answers are given to {@code offer} as fixed tensors, so the divergence is known.
 * Every test is bounded by {@link Timeout}: an offer that waited on a hung shadow would fail it.
 */
@Timeout(60)
class ShadowMirrorTest {
  @TempDir Path dir;

  private final List<ControlledRunner> runners = new ArrayList<>();
  private ServedModel shadow;
  private Shadows shadows;

  @BeforeEach
  void setUp() throws Exception {
    FakeModels models = new FakeModels(dir, Ticker.system(), new MetricsRegistry(), () -> {
      ControlledRunner r = new ControlledRunner();
      synchronized (runners) {
        runners.add(r);
      }
      return r;
    });
    shadow = models.load("m", "2.0.0");
    shadows = new Shadows(Ticker.system(),
        Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    shadows.close();
    synchronized (runners) {
      runners.forEach(ControlledRunner::release);
    }
    shadow.close();
  }

  private void mode(ControlledRunner.Mode m) {
    synchronized (runners) {
      runners.forEach(r -> r.mode(m));
    }
  }

  private ControlledRunner runner() {
    synchronized (runners) {
      assertEquals(1, runners.size(), "the fake model runs one instance");
      return runners.get(0);
    }
  }

  /** x = [2, 2] of the given values; the shadow answers 2x. */
  private static List<Tensor> x(float... v) {
    return List.of(Tensor.ofFloats("x", new long[] {2, 2}, v));
  }

  private static Tensor[] y(float... v) {
    return new Tensor[] {Tensor.ofFloats("y", new long[] {2, 2}, v)};
  }

  private void offer(String id, List<Tensor> in, Tensor[] primary) {
    shadows.offer("m", "1.0.0", id, in, primary);
  }

  private ShadowReport awaitFinished(long n) throws InterruptedException {
    Sockets.await(() -> {
      ShadowReport r = shadows.report("m");
      return r.compared() + r.errors() + r.timeouts() >= n;
    }, n + " shadow answers");
    return shadows.report("m");
  }

  @Test
  void divergenceEndToEndMatchesTheHandComputedFigures() throws Exception {
    shadows.start("m", shadow, ShadowConfig.of(1.0, ComparisonTest.ATOL, ComparisonTest.RTOL));
    // the shadow doubles x: x = S/2 makes it answer exactly ComparisonTest's S1 and S2
    offer("r1", x(0.5f, -1.25f, 0.125f, 2), y(ComparisonTest.P1));
    offer("r2", x(1, 1, 1, 1.5f), y(ComparisonTest.P2));
    ShadowReport r = awaitFinished(2);
    assertEquals(2, r.mirrored());
    assertEquals(2, r.compared());
    assertEquals(1, r.agreed());
    assertEquals(0.5, r.agreementRatio());
    assertEquals(0, r.errors() + r.timeouts() + r.dropped());
    ShadowReport.Output y = r.outputs().get(0);
    assertEquals("y", y.name());
    assertEquals(8, y.elements());
    assertEquals(0.21875, y.meanAbsDiff()); // (0.75 + 1) / 8
    assertEquals(1.0, y.maxAbsDiff());
    assertEquals(0.75 / 7, y.meanRelDiff(), 1e-15); // (0.25 + 0.5) / 7
    assertEquals(List.of("r2", "r1"),
        r.worst().stream().map(ShadowReport.Example::requestId).toList());
    ShadowReport.Example worst = r.worst().get(0);
    assertEquals(1.0, worst.maxAbsDiff());
    assertEquals("1.0.0", worst.primaryVersion());
    assertEquals(List.of(2.0, 2.0, 2.0, 3.0), worst.shadow().get(0).values());
    assertEquals(List.of(2.0, 2.0, 2.0, 2.0), worst.primary().get(0).values());
    assertEquals(List.of(1.0, 1.0, 1.0, 1.5), worst.inputs().get(0).values());
    assertTrue(r.p50Ms() != null && r.p99Ms() >= r.p50Ms());
    assertEquals(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), r.startedAtMillis());
  }

  @Test
  void aThrowingShadowIsCountedAndTheCallersAnswerIsUntouched() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults());
    mode(ControlledRunner.Mode.THROW);
    Tensor[] primary = y(1, 2, 3, 4);
    byte[] before = primary[0].data().clone();
    for (int i = 0; i < 3; i++) {
      offer("e" + i, x(1, 2, 3, 4), primary);
    }
    ShadowReport r = awaitFinished(3);
    assertEquals(3, r.errors());
    assertEquals(0, r.compared());
    assertNull(r.agreementRatio());
    assertEquals(1.0, r.errorRate());
    assertArrayEquals(before, primary[0].data(), "the primary's outputs are not touched");
    // the shadow recovers: its next answers are compared again
    mode(ControlledRunner.Mode.NORMAL);
    offer("ok", x(1, 2, 3, 4), y(2, 4, 6, 8));
    assertEquals(1, awaitFinished(4).agreed());
  }

  @Test
  void aHungShadowNeverHoldsTheCallerAndTheFullQueueDropsAndCounts() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(4, 1 << 20, 1)
        .withDeadline(Duration.ofHours(1)));
    mode(ControlledRunner.Mode.BLOCK);
    offer("first", x(1, 2, 3, 4), y(2, 4, 6, 8));
    runner().awaitEntered(1); // the one in-flight slot is held by a call that never returns
    for (int i = 0; i < 19; i++) {
      offer("h" + i, x(1, 2, 3, 4), y(2, 4, 6, 8)); // returns at once (else @Timeout fails)
    }
    ShadowReport r = shadows.report("m");
    assertEquals(5, r.mirrored(), "1 in flight + 4 queued");
    assertEquals(15, r.dropped());
    assertEquals(4, r.queued());
    assertEquals(0, r.compared() + r.errors() + r.timeouts());
  }

  @Test
  void theQueuesByteBoundDropsToo() throws Exception {
    // a copy is 16 input + 16 output bytes: 64 bytes hold two
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(100, 64, 1)
        .withDeadline(Duration.ofHours(1)));
    mode(ControlledRunner.Mode.BLOCK);
    offer("first", x(1, 2, 3, 4), y(2, 4, 6, 8));
    runner().awaitEntered(1);
    for (int i = 0; i < 10; i++) {
      offer("b" + i, x(1, 2, 3, 4), y(2, 4, 6, 8));
    }
    ShadowReport r = shadows.report("m");
    assertEquals(3, r.mirrored());
    assertEquals(8, r.dropped());
    assertEquals(2, r.queued());
  }

  @Test
  void aShadowPastItsDeadlineIsCancelledAndCountedAsATimeout() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(4, 1 << 20, 1)
        .withDeadline(Duration.ofMillis(20)));
    mode(ControlledRunner.Mode.BLOCK);
    offer("slow", x(1, 2, 3, 4), y(2, 4, 6, 8));
    ShadowReport r = awaitFinished(1);
    assertEquals(1, r.timeouts());
    assertEquals(0, r.errors());
    assertEquals(1.0, r.errorRate());
  }

  @Test
  void boundsHoldUnderAFloodFromSeveralThreads() throws Exception {
    int queued = 16;
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(queued, 1 << 20, 1)
        .withDeadline(Duration.ofHours(1)).withWorstKept(3));
    mode(ControlledRunner.Mode.BLOCK);
    offer("first", x(1, 2, 3, 4), y(2, 4, 6, 8));
    runner().awaitEntered(1);
    int threads = 4;
    int each = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            offer(thread + "-" + i, x(1, 2, 3, 4), y(2, 4, 6, 8));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    ShadowReport r = shadows.report("m");
    assertEquals(1 + queued, r.mirrored());
    assertEquals((long) threads * each - queued, r.dropped());
    assertEquals(queued, r.queued());
  }

  @Test
  void theSampleIsDecidedByRequestId() throws Exception {
    double rate = 0.25;
    shadows.start("m", shadow, ShadowConfig.of(rate, 1e-4, 1e-3));
    int expected = 0;
    for (int i = 0; i < 400; i++) {
      String id = "s" + i;
      if (Sampler.sampled(id, rate)) {
        expected++;
      }
      offer(id, x(1, 2, 3, 4), y(2, 4, 6, 8));
    }
    ShadowReport r = awaitFinished(expected);
    assertEquals(expected, r.mirrored());
    assertEquals(expected, r.agreed());
    // 400 ids at 0.25: a fixed count, near 100 for any decent hash (this is not a random draw)
    assertTrue(expected > 70 && expected < 130, "sampled " + expected);
  }

  @Test
  void answersOfTheShadowVersionItselfAreNotMirrored() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults());
    shadows.offer("m", "2.0.0", "self", x(1, 2, 3, 4), y(2, 4, 6, 8));
    shadows.offer("m", "1.0.0", "failed", x(1, 2, 3, 4), null);
    assertEquals(0, shadows.report("m").mirrored());
  }
}
