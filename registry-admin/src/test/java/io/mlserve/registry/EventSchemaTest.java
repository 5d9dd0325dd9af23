package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.experiments.RunStore;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every event type the registry and the run store emit, produced by real operations, checked
 * against docs/events.md: the same types, and for each type exactly the documented fields (the
 * eight top-level ones in order, its attributes, and the further top-level fields of the types
 * that have them, e.g. a traffic change's split), every one of them on every line of the type.
 */
class EventSchemaTest {
  private static final List<String> TOP = List.of("event_type", "model_name", "version", "stage",
      "run_id", "timestamp", "seq", "previous_version");
  private static final Pattern SECTION = Pattern.compile("(?m)^## `([a-z._0-9]+)`$");
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z_.0-9]+)` \\|");

  @TempDir Path tmp;

  @Test
  void everyEmittedTypeHasExactlyTheDocumentedFields() throws Exception {
    Map<String, Set<String>> documented = documented();
    Map<String, Set<String>> emitted = emitAll();
    assertEquals(documented.keySet(), emitted.keySet(), "documented vs emitted types");
    for (String type : documented.keySet()) {
      assertEquals(documented.get(type), emitted.get(type), type);
    }
  }

  private Map<String, Set<String>> emitAll() throws Exception {
    Path root = tmp.resolve("store");
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
        List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
    TestClock clock = new TestClock(Instant.parse("2026-11-29T10:00:00Z"));
    try (EventLog events = EventLog.open(root)) {
      ModelStore store = ModelStore.open(root);
      ModelRegistry r = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
      RunStore runs = new RunStore(store, events, clock);
      String run = runs.create("m", "train", null, Map.of()).runId();
      runs.end("m", run, "FINISHED");
      for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
        r.register(new RegisterRequest("m", v, artifact, "torchscript", sig, null,
            v.equals("1.0.0") ? run : null, null, null, null, null, "alice"));
      }
      r.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null);
      r.promote("m", "1.1.0", Stage.PRODUCTION, "alice", null);
      r.rollback("m", "alice", null);
      r.archive("m", "1.1.0", "alice", null);
      r.restore("m", "1.1.0", "alice", null);
      r.deprecate("m", "1.2.0", "alice", null);
      r.archive("m", "1.2.0", "alice", null);
      clock.advance(Duration.ofMinutes(1));
      r.cleanup("m", false, "alice");
      r.recordReloadFailure("m", "1.0.0", null, "NaN outputs", "server");
      r.setTraffic("m", io.mlserve.store.TrafficSplit.parseWeights("1.0.0=90,1.1.0=10"), "alice",
          "A/B test");
      r.clearTraffic("m", "alice", null);
      r.startShadow("m", "1.1.0", 0.25, 1e-4, 1e-3, "alice", "compare");
      r.stopShadow("m", "alice", null);
      r.startRollout("m", RolloutPlan.of("1.1.0"), "alice", "canary");
      r.abortRollout("m", "error rate 0.034 > 0.01 over 212 requests", "controller");
      new io.mlserve.dataset.DatasetStore(r, clock, io.mlserve.dataset.DatasetLimits.defaults())
          .add("m", "test", io.mlserve.dataset.DatasetFormat.JSONL,
              new java.io.ByteArrayInputStream("{\"input\": [1, 2], \"label\": 0}\n"
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)), null, "alice");
      r.approvals().setPolicy("m", io.mlserve.approval.PolicyJson.parse("{\"mode\": \"hybrid\","
          + " \"datasets\": [\"h\"], \"gates\": [{\"metric\": \"rmse\", \"max\": 1}]}"),
          "alice", null);
      r.promote("m", "1.1.0", Stage.STAGING, "alice", null);
      r.approvals().beginEvaluation("m", "1.1.0", "server");
      r.approvals().recordEvaluation("m", "1.1.0", "ev-1", Map.of("rmse", 0.5), null,
          "evaluator");
      r.approvals().reject("m", "1.1.0", "bob", "veto");
      r.approvals().approve("m", "1.1.0", "bob", null, true, "hotfix");
      r.approvals().clearPolicy("m", "alice", null);
      events.append(io.mlserve.evaluation.EvaluationEvents.evaluated(evaluation(clock.instant()),
          "Production", null, clock.millis()));
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, Set<String>> out = new TreeMap<>();
    for (String line : Files.readAllLines(root.resolve("events.jsonl"))) {
      JsonNode n = json.readTree(line);
      List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      assertEquals(TOP, keys.subList(0, Math.min(keys.size(), TOP.size())), line);
      Set<String> fields = new LinkedHashSet<>(TOP);
      int further = TOP.size();
      if (n.has("attributes")) {
        assertEquals("attributes", keys.get(further++), line);
        Iterator<String> attrs = n.get("attributes").fieldNames();
        attrs.forEachRemaining(a -> fields.add("attributes." + a));
      }
      fields.addAll(keys.subList(further, keys.size()));
      Set<String> before = out.putIfAbsent(n.get("event_type").asText(), fields);
      if (before != null) {
        assertEquals(before, fields, "one type, one shape: " + line);
      }
    }
    return out;
  }

  private static Map<String, Set<String>> documented() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("docs/events.md"))) {
      dir = dir.getParent();
      assertTrue(dir != null, "docs/events.md not found above the working directory");
    }
    String doc = Files.readString(dir.resolve("docs/events.md"));
    int end = doc.indexOf("\n# Written by the inference server"); // AlertEventSchemaTest
    doc = end < 0 ? doc : doc.substring(0, end);
    Map<String, Set<String>> out = new TreeMap<>();
    Matcher sections = SECTION.matcher(doc);
    List<int[]> bounds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (sections.find()) {
      names.add(sections.group(1));
      bounds.add(new int[] {sections.end(), 0});
    }
    for (int i = 0; i < names.size(); i++) {
      int to = i + 1 < names.size() ? doc.lastIndexOf("\n## `", doc.indexOf("## `"
          + names.get(i + 1) + "`")) : doc.length();
      Matcher rows = ROW.matcher(doc.substring(bounds.get(i)[0], Math.max(to,
          bounds.get(i)[0])));
      Set<String> fields = new LinkedHashSet<>();
      while (rows.find()) {
        fields.add(rows.group(1));
      }
      out.put(names.get(i), fields);
    }
    return out;
  }

  private static io.mlserve.evaluation.Evaluation evaluation(Instant at) {
    var metrics = new io.mlserve.evaluation.MetricSet(io.mlserve.evaluation.TaskKind.REGRESSION,
        1, Map.of("mae", 0.1), Map.of(), List.of(), List.of());
    var latency = new io.mlserve.evaluation.Latency(
        new io.mlserve.evaluation.LatencyStats(null, 1, 1, 1, 1, 1, 1, 1), List.of());
    return new io.mlserve.evaluation.Evaluation("20261129T100000000Z-00000001", "m", "1.1.0",
        "1.0.0", new io.mlserve.evaluation.DatasetRef("test", "0".repeat(64), 1), at, at, "alice",
        io.mlserve.evaluation.TaskKind.REGRESSION,
        new io.mlserve.evaluation.VersionResult("1.1.0", metrics, latency),
        new io.mlserve.evaluation.VersionResult("1.0.0", metrics, latency),
        List.of(io.mlserve.evaluation.Delta.of("mae", 0.1, 0.1)), List.of(), null);
  }
}
