package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelRegistry#setTraffic}, {@link ModelRegistry#clearTraffic} and their rules. */
class TrafficChangesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

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
    registry.promote("m", "1.3.0", Stage.STAGING, "alice", null);
    delivered.clear();
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private static Map<String, Double> w(String spec) {
    return TrafficSplit.parseWeights(spec);
  }

  @Test
  void setWritesTheRecordHistoryAndEventAndSurvivesARestart() throws Exception {
    clock.advance(Duration.ofMinutes(1));
    Deployment d = registry.setTraffic("m", w("1.2.0=90,1.3.0=10"), "bob", "A/B test");
    assertEquals("1.2.0=90,1.3.0=10", d.split().spec());
    assertEquals(events.lastSeq(), d.seq());
    assertEquals("bob", d.actor());
    assertEquals("A/B test", d.reason());
    assertEquals(T0.plusSeconds(60).toEpochMilli(), d.updatedAt());

    JsonNode file = JSON.readTree(root.resolve("m/deployment.json").toFile());
    assertEquals(90.0, file.at("/split/weights/1.2.0").asDouble());
    assertEquals("[[9000,10000]]", file.at("/split/ranges/1.3.0").toString());
    assertEquals(d.seq(), file.get("seq").asLong());

    assertEquals(1, delivered.size());
    Event e = delivered.get(0);
    assertEquals(Event.TRAFFIC_CHANGED, e.eventType());
    assertEquals(w("1.2.0=90,1.3.0=10"), e.weightsField("split"));
    assertNull(e.weightsField("previous_split"));
    List<String> lines = Files.readAllLines(root.resolve("events.jsonl"));
    assertEquals("{\"event_type\":\"ml.model.traffic_changed.v1\",\"model_name\":\"m\","
        + "\"version\":null,\"stage\":null,\"run_id\":null,\"timestamp\":" + d.updatedAt()
        + ",\"seq\":" + d.seq() + ",\"previous_version\":null,\"split\":{\"1.2.0\":90.0,"
        + "\"1.3.0\":10.0},\"previous_split\":null,\"actor\":\"bob\",\"reason\":\"A/B test\"}",
        lines.get(lines.size() - 1));
    assertEquals(e, Event.fromJson(lines.get(lines.size() - 1)));

    HistoryEntry h = registry.history("m").get(registry.history("m").size() - 1);
    assertEquals(new HistoryEntry(d.updatedAt(), "m", HistoryEntry.TRAFFIC, null,
        "1.2.0=90,1.3.0=10", "bob", "A/B test"), h);
    assertTrue(h.isTraffic());
    // a traffic line is no version's stage
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.2.0"));

    events.close();
    events = EventLog.open(root);
    ModelRegistry reopened = new ModelRegistry(ModelStore.open(root), events,
        ArtifactValidator.none(), clock);
    assertEquals(d.split(), reopened.deployment("m").orElseThrow().split());
    assertEquals(d.split(), DeploymentStore.read(root, "m").orElseThrow().split());
  }

  @Test
  void changingWeightsMovesOnlyTheBucketsTheGrowingArmTakes() {
    TrafficSplit before = registry.setTraffic("m", w("1.2.0=90,1.3.0=10"), "bob", null).split();
    TrafficSplit after = registry.setTraffic("m", w("1.2.0=80,1.3.0=20"), "bob", null).split();
    int moved = 0;
    for (int b = 0; b < TrafficSplit.BUCKETS; b++) {
      if (!before.versionFor(b).equals(after.versionFor(b))) {
        assertEquals("1.3.0", after.versionFor(b));
        moved++;
      }
    }
    assertEquals(1000, moved);
    assertEquals(w("1.2.0=90,1.3.0=10"), delivered.get(1).weightsField("previous_split"));
    HistoryEntry h = registry.history("m").get(registry.history("m").size() - 1);
    assertEquals("1.2.0=90,1.3.0=10", h.fromStage());
    assertEquals("1.2.0=80,1.3.0=20", h.toStage());
  }

  @Test
  void refusesMissingModelsAndVersionsArchivedVersionsAndBadWeights() {
    assertEquals("model 'nope' not found", assertThrows(NotFoundException.class,
        () -> registry.setTraffic("nope", w("1.2.0=100"), "bob", null)).getMessage());
    assertEquals("model 'm' has no version '9.9.9'", assertThrows(NotFoundException.class,
        () -> registry.setTraffic("m", w("1.2.0=90,9.9.9=10"), "bob", null)).getMessage());
    Map<String, Double> bad = new LinkedHashMap<>();
    bad.put("1.2.0", 90.0);
    bad.put("1.3.0", 5.0);
    assertEquals("traffic split of m: the weights add up to 95, not 100: 1.2.0=90,1.3.0=5",
        assertThrows(InvalidRequestException.class,
            () -> registry.setTraffic("m", bad, "bob", null)).getMessage());
    registry.archive("m", "1.4.0", "alice", null);
    assertEquals("m:1.4.0 is Archived; restore it before giving it traffic",
        assertThrows(IllegalTransitionException.class,
            () -> registry.setTraffic("m", w("1.2.0=90,1.4.0=10"), "bob", null)).getMessage());
    assertTrue(registry.deployment("m").isEmpty());
    assertEquals(List.of(), delivered.subList(1, delivered.size())); // only the archive
    assertTrue(Files.notExists(root.resolve("m/deployment.json")));
  }

  @Test
  void aVersionWithTrafficCannotBeArchivedAndCleanupKeepsEveryVersionTheSplitNames() {
    registry.setTraffic("m", w("1.2.0=90,1.4.0=10"), "bob", null);
    assertEquals("version 1.4.0 takes 10% of m's traffic; change or clear the split first",
        assertThrows(IllegalTransitionException.class,
            () -> registry.archive("m", "1.4.0", "alice", null)).getMessage());
    registry.setTraffic("m", w("1.2.0=100,1.4.0=0"), "bob", "abort the canary");
    registry.archive("m", "1.4.0", "alice", null); // takes no traffic now
    clock.advance(Duration.ofMinutes(1));
    assertEquals(List.of(), registry.cleanup("m", false, "alice").removed());
    assertTrue(store.hasVersion("m", "1.4.0"));
    registry.clearTraffic("m", "bob", "done");
    assertEquals(List.of("m:1.4.0"), registry.cleanup("m", false, "alice").removed());
  }

  @Test
  void clearRemovesTheSplitOnceAndKeepsOtherSections() throws Exception {
    registry.setTraffic("m", w("1.2.0=50,1.3.0=50"), "bob", null);
    Path file = root.resolve("m/deployment.json");
    com.fasterxml.jackson.databind.node.ObjectNode o =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(file.toFile());
    o.putObject("alerts").put("version", "1.4.0").put("sample_rate", 0.1);
    Files.writeString(file, o.toString());

    int before = delivered.size();
    Deployment cleared = registry.clearTraffic("m", "bob", "A/B done");
    assertNull(cleared.split());
    assertEquals(before + 1, delivered.size());
    Event e = delivered.get(delivered.size() - 1);
    assertNull(e.weightsField("split"));
    assertEquals(w("1.2.0=50,1.3.0=50"), e.weightsField("previous_split"));
    JsonNode after = JSON.readTree(file.toFile());
    assertTrue(after.get("split").isNull());
    assertEquals(0.1, after.at("/alerts/sample_rate").asDouble());
    HistoryEntry h = registry.history("m").get(registry.history("m").size() - 1);
    assertEquals(HistoryEntry.NO_SPLIT, h.toStage());

    registry.clearTraffic("m", "bob", null); // nothing to clear: no change, no event
    assertEquals(before + 1, delivered.size());
    Deployment set = registry.setTraffic("m", w("1.3.0=100"), "bob", null);
    assertEquals("1.4.0", set.otherSections().at("/alerts/version").asText());
  }

  @Test
  void aTrafficEventWhoseRecordWasNotWrittenIsFinishedOnOpen() throws Exception {
    registry.setTraffic("m", w("1.2.0=90,1.3.0=10"), "bob", null);
    TrafficSplit expected = TrafficSplit.reslice(registry.deployment("m").orElseThrow().split(),
        w("1.2.0=70,1.3.0=30"));
    // A writer killed between its durable event and the record's rename.
    Event e = events.append(Event.trafficChanged("m", w("1.2.0=70,1.3.0=30"),
        w("1.2.0=90,1.3.0=10"), "carol", "ramp", 12345L));
    assertEquals("1.2.0=90,1.3.0=10", registry.deployment("m").orElseThrow().split().spec());

    new ModelRegistry(store, events, ArtifactValidator.none(), clock); // recovers
    Deployment d = registry.deployment("m").orElseThrow();
    assertEquals(expected, d.split());
    assertEquals(e.seq(), d.seq());
    assertEquals("carol", d.actor());
    assertEquals(12345L, d.updatedAt());
    assertFalse(registry.deployment("m").orElseThrow().split().versions().isEmpty());
  }
}
