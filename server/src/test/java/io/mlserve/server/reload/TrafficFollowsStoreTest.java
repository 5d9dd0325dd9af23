package io.mlserve.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A traffic split written to the store by another writer (as {@code mlctl --store} does, with
 * its own registry and event log) reaches a server following the store through the reload
 * path; a restart serves it again; a split naming a version that fails to load keeps the split
 * in force and records why.
 */
class TrafficFollowsStoreTest {
  private static final String MODEL = "curve_forecaster";

  @TempDir Path dir;

  private static <T> T await(Supplier<T> actual, java.util.function.Predicate<T> done)
      throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L; // a loaded machine may need long
    while (!done.test(actual.get()) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for an asynchronous event; not a correctness sleep
    }
    return actual.get();
  }

  private static String split(ArmTable arms) {
    if (arms == null) {
      return null;
    }
    return String.join(",", arms.arms().stream().map(m -> m.version()).sorted().toList());
  }

  @Test
  void aSplitFromAnotherWriterIsServedAndSurvivesARestart() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      assertNull(f.router.arms(MODEL));
      try (EventLog otherLog = EventLog.open(dir)) {
        ModelRegistry other = new ModelRegistry(ModelStore.open(dir), otherLog,
            ArtifactValidator.none(), Clock.systemUTC());
        other.setTraffic(MODEL, Map.of("1.0.0", 90.0, "1.1.0", 10.0), "alice", "try 1.1.0");
      }
      ArmTable arms = await(() -> f.router.arms(MODEL), a -> a != null);
      assertEquals("1.0.0,1.1.0", split(arms));
      // Unversioned requests now reach both; 1.1.0 was loaded, warmed and checked for it.
      assertNotNull(f.router.loaded(MODEL, "1.1.0"));
    }
    try (ServerFixture again = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      again.server.start();
      assertEquals("1.0.0,1.1.0", split(again.router.arms(MODEL)), "a restart keeps the split");
      again.registry.clearTraffic(MODEL, "alice", "done");
      assertNull(await(() -> again.router.arms(MODEL), a -> a == null));
      // 1.1.0 serves nothing any more: it is retired (on the reload thread, just after the
      // split is cleared, so awaited like the split).
      assertNull(await(() -> again.router.loaded(MODEL, "1.1.0"), m -> m == null));
    }
  }

  @Test
  void aSplitWhoseVersionFailsToLoadKeepsTheSplitInForce() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      Path junk = dir.resolve("junk.pt");
      Files.write(junk, "this is not a TorchScript archive".getBytes());
      f.registerArtifact("2.0.0", junk, null);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.setTraffic(MODEL, Map.of("1.0.0", 50.0, "1.1.0", 50.0), "alice", "a/b");
      ArmTable good = await(() -> f.router.arms(MODEL), a -> a != null);
      f.registry.setTraffic(MODEL, Map.of("1.0.0", 50.0, "2.0.0", 50.0), "alice", "bad");
      List<Event> failed = await(() -> f.events.readSince(0).stream()
          .filter(e -> e.eventType().equals("ml.model.reload_failed.v1")).toList(),
          l -> !l.isEmpty());
      assertEquals(1, failed.size(), failed.toString());
      assertEquals("2.0.0", failed.get(0).version());
      assertTrue(String.valueOf(failed.get(0).attributes()).contains("traffic split"),
          failed.get(0).toString());
      assertEquals(good, f.router.arms(MODEL), "the split in force stays");
      assertEquals("TRAFFIC_FAILED", f.server.coordinator().statuses().get(MODEL).state());
      // Nothing retries the failed split on its own (the failure event must not loop).
      f.server.coordinator().reconcileNow(MODEL);
      assertEquals(1, f.events.readSince(0).stream()
          .filter(e -> e.eventType().equals("ml.model.reload_failed.v1")).count());
    }
  }

  @Test
  void aRolloutsSplitIsServedAndItsAbortTakesTheCandidateToZero() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.startRollout(MODEL, io.mlserve.registry.RolloutPlan.of("1.1.0"), "alice",
          "canary");
      ArmTable arms = await(() -> f.router.arms(MODEL), a -> a != null);
      assertEquals(Map.of("1.0.0", 95.0, "1.1.0", 5.0), arms.weights());
      f.registry.abortRollout(MODEL, "error rate 0.5 > 0.01 over 200 requests", "controller");
      ArmTable aborted = await(() -> f.router.arms(MODEL),
          a -> a != null && a.weights().getOrDefault("1.1.0", 0.0) == 0.0);
      assertEquals(0.0, aborted.weights().getOrDefault("1.1.0", 0.0), "candidate at 0");
      for (int i = 0; i < 200; i++) {
        assertEquals("1.0.0", aborted.pick("key-" + i).version());
      }
    }
  }
}
