package io.mlserve.server.reload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.shadow.ShadowReport;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow set in the store is served through the reload path: the shadow version is loaded, a
 * copy of each answered request goes to it after the answer, and the report compares them; a
 * diverging shadow (canary_diverging.pt: the demo + 0.5) is measured as such and never changes
 * an answer; stopping it retires the version.
 */
class ShadowFollowsStoreTest {
  private static final String MODEL = "curve_forecaster";
  private static final Path FIXTURES = Path.of("src/test/resources/models");

  @TempDir Path dir;

  private static <T> T await(Supplier<T> value, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.test(value.get()) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for asynchronous work; not a correctness sleep
    }
    return value.get();
  }

  private static float[] answer(ServerFixture f) throws Exception {
    Answer a = f.server.inference().infer(ModelRef.of(MODEL), List.of(DemoModel.row(60)),
        RequestContext.of(Long.MAX_VALUE, "test")).get(60, TimeUnit.SECONDS);
    assertEquals("1.0.0", a.model().version());
    return a.outputs()[0].toFloats();
  }

  @Test
  void aDivergingShadowIsMeasuredAndNeverChangesAnAnswer() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerArtifact("2.0.0", FIXTURES.resolve("canary_diverging.pt"), null);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      float[] before = answer(f);
      f.registry.startShadow(MODEL, "2.0.0", 1.0, 1e-4, 1e-3, "test", "compare");
      await(() -> f.server.shadows().active(MODEL), a -> a);
      for (int i = 0; i < 20; i++) {
        assertArrayEquals(before, answer(f), "the primary's answer is unchanged");
      }
      ShadowReport r = await(() -> f.server.shadows().report(MODEL), x -> x.compared() >= 20);
      assertEquals("2.0.0", r.version());
      assertEquals(20, r.compared());
      assertEquals(0.0, r.agreementRatio());
      assertEquals(0.5, r.outputs().get(0).maxAbsDiff(), 1e-4);
      assertEquals(0.5, r.outputs().get(0).meanAbsDiff(), 1e-4);
      f.registry.stopShadow(MODEL, "test", "done");
      assertFalse(await(() -> f.server.shadows().active(MODEL), a -> !a));
      assertNull(await(() -> f.router.loaded(MODEL, "2.0.0"), m -> m == null),
          "the stopped shadow's version is retired");
    }
  }

  @Test
  void aShadowOfTheSameNetworkAgrees() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.registry.startShadow(MODEL, "1.1.0", 1.0, 1e-4, 1e-3, "test", "compare");
      f.server.start(); // the shadow in the record is served from the start
      assertTrue(f.server.shadows().active(MODEL));
      for (int i = 0; i < 10; i++) {
        answer(f);
      }
      ShadowReport r = await(() -> f.server.shadows().report(MODEL), x -> x.compared() >= 10);
      assertEquals(1.0, r.agreementRatio());
      assertEquals(0, r.errors());
    }
  }
}
