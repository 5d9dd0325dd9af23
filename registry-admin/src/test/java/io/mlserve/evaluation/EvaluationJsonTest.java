package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationJsonTest {
  private final FakeTime time = new FakeTime(Instant.parse("2026-11-29T21:00:00Z"));

  @Test
  void roundTripsWithBaselineAndVerdict() {
    Evaluation e = EvaluationFixtures.regression(time, "m", "alice", true)
        .withVerdict(EvaluationFixtures.verdict());
    assertEquals(e, EvaluationJson.decode(EvaluationJson.encode(e)));
  }

  @Test
  void roundTripsWithoutBaseline() {
    Evaluation e = EvaluationFixtures.regression(time, "m", "bob", false);
    Evaluation back = EvaluationJson.decode(EvaluationJson.encode(e));
    assertEquals(e, back);
  }

  @Test
  void theShapeHasStableSnakeCaseNamesAndNullsForMissingValues() throws Exception {
    Evaluation e = EvaluationFixtures.regression(time, "m", "bob", false);
    JsonNode o = new ObjectMapper().readTree(EvaluationJson.encode(e));
    assertEquals(List.of("id", "model", "version", "baseline_version", "dataset", "started_at",
        "finished_at", "actor", "kind", "candidate", "baseline", "deltas", "verdict", "sample"),
        fieldNames(o));
    assertTrue(o.get("baseline_version").isNull());
    assertTrue(o.get("baseline").isNull());
    assertTrue(o.get("verdict").isNull());
    assertEquals("2026-11-29T21:00:00Z", o.get("started_at").asText());
    assertEquals(List.of("version", "rows", "metrics", "counts", "per_output", "notes",
        "latency"), fieldNames(o.get("candidate")));
    assertEquals(List.of("mae", "rmse", "mape", "r2", "cost"),
        fieldNames(o.get("candidate").get("metrics")));
    assertEquals(List.of("batch_size", "calls", "rows", "mean_ms", "p50_ms", "p95_ms",
        "p99_ms", "max_ms"), fieldNames(o.get("candidate").get("latency").get("overall")));
    // 40 rows in batches of 16: sizes 8 and 16, smallest first
    assertEquals(16, o.get("candidate").get("latency").get("by_batch_size").get(1)
        .get("batch_size").asInt());
    assertEquals("[\"row\",\"output\",\"label\",\"candidate\",\"baseline\"]",
        o.get("sample").get("columns").toString());
    assertTrue(o.get("sample").get("rows").get(0).get(4).isNull());
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void notAnEvaluationIsRefusedNamingTheField() {
    Evaluation e = EvaluationFixtures.regression(time, "m", "bob", false);
    String json = new String(EvaluationJson.encode(e), StandardCharsets.UTF_8);
    assertEquals("not an evaluation: kind: unknown evaluation kind 'ranking'; expected"
        + " regression, classification or auto", assertThrows(IllegalArgumentException.class,
        () -> EvaluationJson.decode(json.replace("\"regression\"", "\"ranking\"")
            .getBytes(StandardCharsets.UTF_8))).getMessage());
    assertEquals("not an evaluation: rows: expected an integer", assertThrows(
        IllegalArgumentException.class, () -> EvaluationJson.decode(json.replaceFirst(
            "\"rows\" : 40", "\"rows\" : \"many\"").getBytes(StandardCharsets.UTF_8)))
        .getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> EvaluationJson.decode("{".getBytes(StandardCharsets.UTF_8))).getMessage()
        .startsWith("not valid JSON"));
    assertEquals("not an evaluation: the top level: expected an object", assertThrows(
        IllegalArgumentException.class, () -> EvaluationJson.decode(
            "[]".getBytes(StandardCharsets.UTF_8))).getMessage());
  }
}
