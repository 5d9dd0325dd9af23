package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Deployment;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Shadow;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelRegistry#startShadow}, {@link ModelRegistry#stopShadow} and their rules. */
class ShadowChangesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  @TempDir Path tmp;
  private Path root;
  private ModelStore store;
  private EventLog events;
  private ModelRegistry registry;
  private final TestClock clock = new TestClock(T0);
  private final List<Event> delivered = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("store");
    store = ModelStore.open(root);
    events = EventLog.open(root);
    events.subscribe(delivered::add);
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    for (String v : List.of("1.2.0", "1.3.0", "1.4.0")) {
      registry.register(new RegisterRequest("m", v, artifact, "torchscript",
          HaltingWriterMain.SIG, null, null, null, null, null, null, "alice"));
    }
    registry.promote("m", "1.2.0", Stage.PRODUCTION, "alice", null);
    delivered.clear();
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  @Test
  void startWritesTheRecordHistoryAndEventAndSurvivesARestart() throws Exception {
    clock.advance(Duration.ofMinutes(1));
    registry.setTraffic("m", TrafficSplit.parseWeights("1.2.0=90,1.4.0=10"), "bob", "a/b");
    Deployment d = registry.startShadow("m", "1.3.0", 0.25, 1e-4, 1e-3, "bob", "try 1.3.0");
    assertEquals(new Shadow("1.3.0", 0.25, 1e-4, 1e-3, T0.plusSeconds(60).toEpochMilli()),
        d.shadow());
    assertEquals("1.2.0=90,1.4.0=10", d.split().spec(), "the split is kept");
    assertEquals(events.lastSeq(), d.seq());
    Event e = delivered.get(delivered.size() - 1);
    assertEquals(Event.SHADOW_CHANGED, e.eventType());
    assertEquals("1.3.0", e.version());
    assertEquals(0.25, e.field("shadow").get("sample").asDouble());
    assertTrue(e.field("previous_shadow").isNull());
    assertEquals("bob", e.field("actor").asText());
    HistoryEntry h = registry.history("m").get(registry.history("m").size() - 1);
    assertEquals(HistoryEntry.SHADOW, h.version());
    assertEquals("1.3.0 (sample 0.25, atol 1.0E-4, rtol 0.001)", h.toStage());
    // A restart (a new registry on the same store) reads the same record.
    events.close();
    events = EventLog.open(root);
    ModelRegistry again = new ModelRegistry(ModelStore.open(root), events,
        ArtifactValidator.none(), clock);
    assertEquals(d.shadow(), again.deployment("m").orElseThrow().shadow());
    // Another split change keeps the shadow.
    assertEquals(d.shadow(), again.setTraffic("m", TrafficSplit.parseWeights("1.2.0=80,1.4.0=20"),
        "bob", "ramp").shadow());
  }

  @Test
  void stopClearsItOnceAndStoppingNoneChangesNothing() {
    registry.startShadow("m", "1.3.0", 1, 0, 0, "bob", null);
    long seq = events.lastSeq();
    Deployment d = registry.stopShadow("m", "bob", "done");
    assertNull(d.shadow());
    assertEquals(seq + 1, events.lastSeq());
    Event e = delivered.get(delivered.size() - 1);
    assertNull(e.version());
    assertTrue(e.field("shadow").isNull());
    assertEquals("1.3.0", e.field("previous_shadow").asText());
    registry.stopShadow("m", "bob", "again");
    assertEquals(seq + 1, events.lastSeq(), "stopping no shadow appends nothing");
  }

  @Test
  void refusalsNameWhatIsWrong() {
    assertEquals("m:1.2.0 is the Production version; a shadow is compared with Production, so"
        + " it must be another version", assertThrows(IllegalTransitionException.class,
            () -> registry.startShadow("m", "1.2.0", 1, 0, 0, "bob", null)).getMessage());
    assertThrows(NotFoundException.class,
        () -> registry.startShadow("m", "9.9.9", 1, 0, 0, "bob", null));
    assertThrows(NotFoundException.class,
        () -> registry.startShadow("nope", "1.3.0", 1, 0, 0, "bob", null));
    assertEquals("shadow sample must be in (0, 1], got 1.5", assertThrows(
        InvalidRequestException.class,
        () -> registry.startShadow("m", "1.3.0", 1.5, 0, 0, "bob", null)).getMessage());
    assertEquals("shadow atol must be a finite number >= 0, got -1.0", assertThrows(
        InvalidRequestException.class,
        () -> registry.startShadow("m", "1.3.0", 1, -1, 0, "bob", null)).getMessage());
    registry.startShadow("m", "1.3.0", 1, 0, 0, "bob", null);
    assertEquals("version 1.3.0 is m's shadow; stop the shadow first",
        assertThrows(IllegalTransitionException.class,
            () -> registry.archive("m", "1.3.0", "bob", null)).getMessage());
    assertTrue(registry.deployment("m").orElseThrow().shadow() != null, "nothing changed");
  }
}
