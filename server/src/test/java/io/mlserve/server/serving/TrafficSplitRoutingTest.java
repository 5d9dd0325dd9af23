package io.mlserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.store.TrafficSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How unversioned requests spread over a split's arms through the serving entry point (real
 * batchers, fake engine): weighted random without a key, sticky with one, and a weight change
 * moves only the keys that must move.
 */
class TrafficSplitRoutingTest {
  @TempDir Path dir;

  private final ModelRouter router = new ModelRouter(new MetricsRegistry());
  private final List<ServedModel> loaded = new ArrayList<>();
  private final Map<String, ServedModel> byVersion = new HashMap<>();
  private InferenceService service;

  @BeforeEach
  void setUp() throws Exception {
    FakeModels models = new FakeModels(dir, Ticker.system(), new MetricsRegistry());
    for (String v : List.of("1.2.0", "1.3.0")) {
      ServedModel m = models.load("m", v);
      loaded.add(m);
      byVersion.put(v, m);
      router.put(m, v.equals("1.2.0"));
    }
    service = new InferenceService(router, Ticker.system());
  }

  @AfterEach
  void tearDown() {
    loaded.forEach(ServedModel::close);
  }

  private ArmTable install(String id, TrafficSplit split) {
    ArmTable arms = ArmTable.of(id, split, byVersion::get);
    router.setArms("m", arms);
    return arms;
  }

  /** Runs requests in windows of 500 so the queue never fills; returns the answering versions. */
  private List<String> run(int n, java.util.function.IntFunction<String> keyOf) throws Exception {
    List<String> versions = new ArrayList<>(n);
    for (int from = 0; from < n; from += 500) {
      List<CompletableFuture<Answer>> window = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 500); i++) {
        window.add(service.infer(ModelRef.of("m"), List.of(FakeRunner.rows(1, i)),
            new RequestContext(Long.MAX_VALUE, "test", null, keyOf.apply(i))));
      }
      for (CompletableFuture<Answer> f : window) {
        versions.add(f.get(30, TimeUnit.SECONDS).model().version());
      }
    }
    return versions;
  }

  @Test
  void unkeyedRequestsFollowTheWeights() throws Exception {
    install("1", TrafficSplit.parse("1.2.0=90,1.3.0=10"));
    List<String> versions = run(20_000, i -> null);
    double share = versions.stream().filter("1.3.0"::equals).count() / 20_000.0;
    // One standard deviation is 0.21 points: 1.5 points is seven of them.
    assertTrue(Math.abs(share - 0.10) <= 0.015, "1.3.0 took " + share);
  }

  @Test
  void aKeyAlwaysLandsOnOneVersionAndAWeightChangeMovesOnlyKeysToTheGrowingArm()
      throws Exception {
    TrafficSplit tenPercent = TrafficSplit.parse("1.2.0=90,1.3.0=10");
    install("1", tenPercent);
    Map<String, String> before = new HashMap<>();
    List<String> versions = run(50_000, i -> "customer-" + (i % 1_000));
    for (int i = 0; i < versions.size(); i++) {
      String key = "customer-" + (i % 1_000);
      String earlier = before.putIfAbsent(key, versions.get(i));
      assertTrue(earlier == null || earlier.equals(versions.get(i)),
          key + " saw " + earlier + " and " + versions.get(i));
    }
    assertEquals(1_000, before.size());
    install("2", TrafficSplit.reslice(tenPercent, Map.of("1.2.0", 80.0, "1.3.0", 20.0)));
    List<String> after = run(1_000, i -> "customer-" + i);
    int moved = 0;
    for (int i = 0; i < 1_000; i++) {
      String key = "customer-" + i;
      if (!before.get(key).equals(after.get(i))) {
        assertEquals("1.2.0", before.get(key), key + " moved away from the growing arm");
        assertEquals("1.3.0", after.get(i), key);
        moved++;
      }
    }
    long onNew = after.stream().filter("1.3.0"::equals).count();
    long onNewBefore = before.values().stream().filter("1.3.0"::equals).count();
    assertEquals(onNew - onNewBefore, moved, "every move is a key joining 1.3.0");
    // About 10% of the keys move; 1,000 keys give a standard deviation near 1 point.
    assertTrue(moved >= 50 && moved <= 150, moved + " keys moved");
  }

  @Test
  void explicitVersionsAndStagesBypassTheSplit() throws Exception {
    install("1", TrafficSplit.parse("1.2.0=0,1.3.0=100"));
    assertEquals("1.3.0", run(1, i -> null).get(0));
    Answer explicit = service.infer(ModelRef.fromVersionField("m", "1.2.0"),
        List.of(FakeRunner.rows(1, 1)), RequestContext.of(Long.MAX_VALUE, "test"))
        .get(30, TimeUnit.SECONDS);
    assertEquals("1.2.0", explicit.model().version());
    Answer production = service.infer(ModelRef.fromVersionField("m", "production"),
        List.of(FakeRunner.rows(1, 1)), RequestContext.of(Long.MAX_VALUE, "test"))
        .get(30, TimeUnit.SECONDS);
    assertEquals("1.2.0", production.model().version());
  }
}
