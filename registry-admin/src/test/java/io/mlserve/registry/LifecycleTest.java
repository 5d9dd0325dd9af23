package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {
  static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  @TempDir Path tmp;
  private ModelStore store;
  private EventLog events;
  private TestClock clock;
  private ModelRegistry registry;
  private Path artifact;

  @BeforeEach
  void setUp() throws Exception {
    store = ModelStore.open(tmp.resolve("store"));
    events = EventLog.open(tmp.resolve("store"));
    clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    artifact = Files.writeString(tmp.resolve("model.pt"), "weights");
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private void register(String version) {
    registry.register(new RegisterRequest("m", version, artifact, "torchscript", SIG, null,
        "run1", null, null, null, null, "alice"));
    clock.advance(Duration.ofSeconds(1));
  }

  private void toProduction(String version) {
    registry.promote("m", version, Stage.PRODUCTION, "alice", null);
    clock.advance(Duration.ofSeconds(1));
  }

  private String production() {
    return store.stageVersion("m", Stage.PRODUCTION).orElse(null);
  }

  @Test
  void rollbackWalksBackThroughProductionHistoryRepeatedly() {
    for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
      register(v);
      toProduction(v);
    }
    Transition t = registry.rollback("m", "bob", "bad latency");
    assertEquals("1.1.0", production());
    assertEquals(new Transition("m", "1.1.0", Stage.DEPRECATED, Stage.PRODUCTION, "1.2.0"), t);
    assertEquals(Stage.DEPRECATED, registry.stageOf("m", "1.2.0"));
    registry.rollback("m", "bob", null);
    assertEquals("1.0.0", production());
    IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
        () -> registry.rollback("m", "bob", null));
    assertTrue(e.getMessage().contains("no earlier Production version"), e.getMessage());
    assertEquals("1.0.0", production());

    List<Event> rolled = events.readSince(0).stream()
        .filter(ev -> ev.eventType().equals(Event.ROLLED_BACK)).toList();
    assertEquals(2, rolled.size());
    assertEquals("1.1.0", rolled.get(0).version());
    assertEquals("1.2.0", rolled.get(0).previousVersion());
    assertEquals("Production", rolled.get(0).stage());
    HistoryEntry last = registry.history("m").get(registry.history("m").size() - 1);
    assertEquals("bob", last.actor());
  }

  @Test
  void promotionAfterRollbackStartsANewBranchAndRollbackSkipsArchived() {
    for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
      register(v);
      toProduction(v);
    }
    registry.rollback("m", "bob", null); // 1.1.0
    register("1.3.0");
    toProduction("1.3.0");
    registry.archive("m", "1.0.0", "bob", null);
    registry.rollback("m", "bob", null);
    assertEquals("1.1.0", production());
    assertThrows(IllegalTransitionException.class, () -> registry.rollback("m", "bob", null));
  }

  @Test
  void rollbackWithoutProductionIsRefused() {
    register("1.0.0");
    assertThrows(IllegalTransitionException.class, () -> registry.rollback("m", "a", null));
  }

  @Test
  void deprecateArchiveRestoreFollowTheRules() {
    register("1.0.0");
    toProduction("1.0.0");
    IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
        () -> registry.archive("m", "1.0.0", "a", null));
    assertTrue(e.getMessage().contains("allowed from Production: Deprecated"), e.getMessage());

    registry.deprecate("m", "1.0.0", "a", "retired");
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.PRODUCTION));
    assertEquals(Stage.DEPRECATED, registry.stageOf("m", "1.0.0"));
    registry.archive("m", "1.0.0", "a", null);
    assertEquals(Stage.ARCHIVED, registry.stageOf("m", "1.0.0"));
    assertThrows(IllegalTransitionException.class,
        () -> registry.promote("m", "1.0.0", Stage.PRODUCTION, "a", null));
    registry.restore("m", "1.0.0", "a", null);
    assertEquals(Stage.DEPRECATED, registry.stageOf("m", "1.0.0"));
    assertThrows(IllegalTransitionException.class,
        () -> registry.restore("m", "1.0.0", "a", null));

    List<String> types = events.readSince(0).stream().map(Event::eventType).toList();
    assertEquals(List.of(Event.REGISTERED, Event.PROMOTED, Event.DEPRECATED, Event.ARCHIVED,
        Event.RESTORED), types);
    assertEquals("Production", events.readSince(0).get(2).attributes().get("from_stage"));
  }

  @Test
  void stagingDeprecateClearsThePointer() {
    register("1.0.0");
    registry.promote("m", "1.0.0", Stage.STAGING, "a", null);
    registry.deprecate("m", "1.0.0", "a", null);
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.STAGING));
  }

  @Test
  void cleanupRemovesOnlyArchivedVersionsAndDryRunRemovesNothing() {
    register("1.0.0");
    register("1.1.0");
    register("1.2.0");
    toProduction("1.2.0");
    registry.archive("m", "1.0.0", "a", null);
    registry.archive("m", "1.1.0", "a", null);

    CleanupResult dry = registry.cleanup(null, true, "a");
    assertEquals(List.of("m:1.0.0", "m:1.1.0"), dry.removed());
    assertTrue(dry.bytes() > 0);
    assertEquals(List.of("1.0.0", "1.1.0", "1.2.0"), store.versions("m"));

    CleanupResult done = registry.cleanup("m", false, "a");
    assertEquals(dry.removed(), done.removed());
    assertEquals(List.of("1.2.0"), store.versions("m"));
    assertFalse(Files.exists(tmp.resolve("store/m/versions/1.0.0")));
    assertEquals(List.of(), store.tempVersionDirs("m"));
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.2.0"));
    assertEquals(2, events.readSince(0).stream()
        .filter(e -> e.eventType().equals(Event.DELETED)).count());
    assertEquals("Deleted", registry.history("m").get(registry.history("m").size() - 1)
        .toStage());
  }

  @Test
  void reloadFailureRollsProductionBackAndRecordsBothEvents() {
    register("1.0.0");
    toProduction("1.0.0");
    register("1.1.0");
    toProduction("1.1.0");
    Optional<Transition> t = registry.recordReloadFailure("m", "1.1.0", "1.0.0", "NaN outputs",
        "server");
    assertTrue(t.isPresent());
    assertEquals("1.0.0", production());
    List<Event> all = events.readSince(0);
    Event failed = all.get(all.size() - 2);
    assertEquals(Event.RELOAD_FAILED, failed.eventType());
    assertEquals("NaN outputs", failed.attributes().get("reason"));
    assertEquals(Event.ROLLED_BACK, all.get(all.size() - 1).eventType());
    // A later rollback does not return to the failed version's predecessor twice.
    assertThrows(IllegalTransitionException.class, () -> registry.rollback("m", "a", null));
  }

  @Test
  void bumpCountsFromTheHighestVersion() {
    assertEquals("0.0.1", registry.nextVersion("m", "patch"));
    register("1.2.3");
    register("1.10.0-rc.1");
    assertEquals("1.10.0", registry.nextVersion("m", "patch"));
    assertEquals("1.10.0", registry.nextVersion("m", "minor")); // the release of the rc
    assertEquals("2.0.0", registry.nextVersion("m", "major"));
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> registry.nextVersion("m", "huge"));
    assertTrue(e.getMessage().contains("patch, minor, major"));
  }

  @Test
  void illegalTransitionsNameTheAllowedOnes() {
    for (Stage from : Stage.values()) {
      for (Stage to : Stage.values()) {
        boolean allowed = StageTransitions.allowedFrom(from).contains(to);
        if (from == to || allowed) {
          continue;
        }
        IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
            () -> StageTransitions.check("m:1.0.0", from, to));
        assertTrue(e.getMessage().contains("allowed from " + from.displayName()),
            e.getMessage());
      }
    }
  }
}
