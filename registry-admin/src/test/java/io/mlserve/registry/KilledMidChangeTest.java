package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.approval.ApprovalState;
import io.mlserve.dataset.DatasetEvents;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process killed at each file operation of a promotion, a registration, a traffic
 * change, a rollout's start and abort, a dataset's addition, a policy change, an approval and a
 * shadow's start in turn
 * ({@link HaltingWriterMain}), including between its durable event and its commit point. When
 * the store is next opened, the change has either happened completely (the event is there and
 * the pointer or version agrees: rolled forward) or not at all (no event, no history line, the
 * old pointers), and the store is consistent ({@link StoreInvariants}).
 */
class KilledMidChangeTest {
  @TempDir Path tmp;

  private static void setUp(Path root, Path artifact, String change) throws Exception {
    Files.write(artifact, new byte[4096]);
    try (EventLog events = EventLog.open(root)) {
      ModelRegistry r = new ModelRegistry(ModelStore.open(root), events,
          ArtifactValidator.none(), Clock.systemUTC());
      for (String v : List.of("1.0.0", "1.1.0")) {
        r.register(new RegisterRequest("m", v, artifact, "torchscript", HaltingWriterMain.SIG,
            null, null, null, null, null, null, "setup"));
      }
      r.promote("m", "1.0.0", Stage.PRODUCTION, "setup", null);
      r.promote("m", "1.1.0", Stage.STAGING, "setup", null);
      if (change.equals("approve")) {
        r.approvals().setPolicy("m", HaltingWriterMain.POLICY, "setup", null);
      }
    }
  }

  private static int runWriter(Path root, int haltAt, String change) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
        "-cp", System.getProperty("java.class.path"), HaltingWriterMain.class.getName(),
        root.toString(), String.valueOf(haltAt), change)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "writer hung");
    return p.exitValue();
  }

  @Test
  void aPromotionKilledAnywhereIsAllOrNothing() throws Exception {
    check("promote");
  }

  @Test
  void aRegistrationKilledAnywhereIsAllOrNothing() throws Exception {
    check("register");
  }

  @Test
  void aTrafficChangeKilledAnywhereIsAllOrNothing() throws Exception {
    check("traffic");
  }

  @Test
  void aRolloutStartAndAbortKilledAnywhereAreEachAllOrNothing() throws Exception {
    check("rollout");
  }

  @Test
  void aDatasetAddKilledAnywhereIsAllOrNothing() throws Exception {
    check("dataset");
  }

  @Test
  void aPolicyChangeKilledAnywhereIsAllOrNothing() throws Exception {
    check("policy");
  }

  @Test
  void anApprovalKilledAnywhereIsAllOrNothing() throws Exception {
    check("approve");
  }

  @Test
  void aShadowStartKilledAnywhereIsAllOrNothing() throws Exception {
    check("shadow");
  }

  private void check(String change) throws Exception {
    int killed = 0;
    for (int n = 1; ; n++) {
      assertTrue(n < 100, change + " never completed");
      Path root = tmp.resolve(change + n);
      setUp(root, tmp.resolve("a.pt"), change);
      int historyBefore = ModelStore.open(root).history("m").size();
      long seqBefore;
      try (EventLog events = EventLog.open(root)) {
        seqBefore = events.lastSeq();
      }
      int code = runWriter(root, n, change);
      ModelStore store = ModelStore.open(root);
      try (EventLog events = EventLog.open(root)) {
        ModelRegistry registry = new ModelRegistry(store, events, ArtifactValidator.none(),
            Clock.systemUTC()); // recovers
        List<Event> after = events.readSince(seqBefore);
        boolean happened = !after.isEmpty();
        String where = change + " killed at operation " + n + " (exit " + code + ")";
        if (change.equals("promote")) {
          assertEquals(happened ? Optional.of("1.1.0") : Optional.of("1.0.0"),
              store.stageVersion("m", Stage.PRODUCTION), where);
          assertEquals(happened ? Optional.empty() : Optional.of("1.1.0"),
              store.stageVersion("m", Stage.STAGING), where);
          assertEquals(historyBefore + (happened ? 2 : 0), store.history("m").size(), where);
        } else if (change.equals("traffic")) {
          Optional<Deployment> d = DeploymentStore.read(root, "m");
          assertEquals(happened, d.isPresent(), where);
          if (happened) {
            assertEquals("1.0.0=90,1.1.0=10", d.get().split().spec(), where);
            assertEquals(after.get(0).seq(), d.get().seq(), where);
          }
          assertEquals(historyBefore + (happened ? 1 : 0), store.history("m").size(), where);
        } else if (change.equals("rollout")) {
          Optional<Deployment> d = DeploymentStore.read(root, "m");
          assertEquals(happened, d.isPresent(), where);
          if (happened) {
            boolean aborted = after.size() == 2;
            assertEquals(aborted ? "1.0.0=100,1.1.0=0" : "1.0.0=95,1.1.0=5",
                d.get().split().spec(), where);
            assertEquals(aborted ? Rollout.State.ABORTED : Rollout.State.RUNNING,
                d.get().rollout().state(), where);
            assertEquals(after.get(after.size() - 1).seq(), d.get().seq(), where);
          }
          assertEquals(historyBefore + after.size(), store.history("m").size(), where);
          assertEquals(Optional.of("1.0.0"), store.stageVersion("m", Stage.PRODUCTION), where);
        } else if (change.equals("dataset")) {
          DatasetStore datasets = new DatasetStore(registry, Clock.systemUTC(),
              DatasetLimits.defaults());
          List<String> names = datasets.list("m").stream().map(DatasetInfo::name).toList();
          assertEquals(happened ? List.of("d") : List.of(), names, where);
          if (happened) {
            assertEquals(DatasetEvents.ADDED, after.get(0).eventType(), where);
            assertEquals(datasets.get("m", "d").sha256(),
                StoreInvariants.sha256(datasets.dataFile("m", "d")), where);
            try (var rows = datasets.open("m", "d")) {
              long read = 0;
              for (var b = rows.next(4); b != null; b = rows.next(4)) {
                read += b.rows();
              }
              assertEquals(10, read, where);
            }
          }
        } else if (change.equals("policy")) {
          assertEquals(happened, registry.approvals().policy("m").isPresent(), where);
          assertEquals(historyBefore + (happened ? 1 : 0), store.history("m").size(), where);
        } else if (change.equals("approve")) {
          assertEquals(happened ? ApprovalState.APPROVED : ApprovalState.NONE,
              registry.approvals().approval("m", "1.1.0").state(), where);
          assertEquals(historyBefore + (happened ? 1 : 0), store.history("m").size(), where);
        } else if (change.equals("shadow")) {
          Optional<Deployment> d = DeploymentStore.read(root, "m");
          assertEquals(happened, d.isPresent() && d.get().shadow() != null, where);
          if (happened) {
            assertEquals("1.1.0", d.get().shadow().version(), where);
            assertEquals(after.get(0).seq(), d.get().seq(), where);
          }
          assertEquals(historyBefore + (happened ? 1 : 0), store.history("m").size(), where);
        } else {
          assertEquals(happened, store.hasVersion("m", "1.2.0"), where);
          assertEquals(historyBefore + (happened ? 1 : 0), store.history("m").size(), where);
        }
        assertTrue(after.size() <= (change.equals("rollout") ? 2 : 1), where + ": " + after);
      }
      StoreInvariants.check(root);
      if (code == 0) {
        assertTrue(killed > 3, change + ": only " + killed + " kill points");
        return;
      }
      assertEquals(137, code);
      killed++;
    }
  }
}
