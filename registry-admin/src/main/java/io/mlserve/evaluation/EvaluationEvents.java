package io.mlserve.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.Event;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event a stored evaluation appends, {@value #EVALUATED}: {@code version} the candidate,
 * {@code stage} its stage when it was evaluated, {@code run_id} its run; further fields
 * {@code evaluation_id}, {@code dataset}, {@code dataset_sha256}, {@code rows},
 * {@code baseline_version}, {@code kind}, {@code metrics} (the candidate's scalar metrics),
 * {@code baseline_metrics}, {@code deltas} (per metric: absolute and relative), {@code verdict}
 * and {@code actor}, each {@code null} when it has no value. Documented in docs/events.md.
 * Stateless.
 */
public final class EvaluationEvents {
  public static final String EVALUATED = "ml.model.evaluated.v1";

  private EvaluationEvents() {}

  /** The event of {@code e}, for a candidate in {@code stage} from run {@code runId}. */
  public static Event evaluated(Evaluation e, String stage, String runId, long timestamp) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    fields.put("evaluation_id", f.textNode(e.id()));
    fields.put("dataset", f.textNode(e.dataset().name()));
    fields.put("dataset_sha256", f.textNode(e.dataset().sha256()));
    fields.put("rows", f.numberNode(e.candidate().metrics().rows()));
    fields.put("baseline_version", e.baselineVersion() == null ? f.nullNode()
        : f.textNode(e.baselineVersion()));
    fields.put("kind", f.textNode(e.kind().wireName()));
    fields.put("metrics", metrics(e.candidate().metrics().values()));
    fields.put("baseline_metrics", e.baseline() == null ? f.nullNode()
        : metrics(e.baseline().metrics().values()));
    ObjectNode deltas = f.objectNode();
    for (Delta d : e.deltas()) {
      ObjectNode o = deltas.putObject(d.metric());
      o.set("absolute", number(d.absolute()));
      o.set("relative", number(d.relative()));
    }
    fields.put("deltas", e.baseline() == null ? f.nullNode() : deltas);
    fields.put("verdict", e.verdict() == null ? f.nullNode()
        : f.textNode(e.verdict().outcome().wireName()));
    fields.put("actor", f.textNode(e.actor()));
    return new Event(EVALUATED, e.model(), e.version(), stage, runId, timestamp, 0, null,
        Map.of(), fields);
  }

  private static ObjectNode metrics(Map<String, Double> values) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    values.forEach((k, v) -> o.set(k, number(v)));
    return o;
  }

  private static JsonNode number(Double v) {
    return v == null || v.isNaN() || v.isInfinite() ? JsonNodeFactory.instance.nullNode()
        : JsonNodeFactory.instance.numberNode(v);
  }
}
