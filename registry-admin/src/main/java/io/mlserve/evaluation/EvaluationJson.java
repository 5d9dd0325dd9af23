package io.mlserve.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of an {@link Evaluation}, as stored in {@code evaluations/<id>.json} and as
 * transports may answer it. Field names are snake_case and stable; every field is written, a
 * missing value as {@code null}; times are ISO-8601 UTC strings; metric values are numbers or
 * {@code null} (not computed; the notes say why):
 *
 * <pre>{@code
 * {"id": "20261129T205218123Z-4f1a09c2", "model": "curve_forecaster", "version": "1.3.0",
 *  "baseline_version": "1.2.0",
 *  "dataset": {"name": "test", "sha256": "9f2c...", "rows": 5000},
 *  "started_at": "2026-11-29T20:52:18.123Z", "finished_at": "2026-11-29T20:52:19.020Z",
 *  "actor": "alice", "kind": "regression",
 *  "candidate": {
 *    "version": "1.3.0", "rows": 5000,
 *    "metrics": {"mae": 0.012, "rmse": 0.016, "mape": 0.004, "r2": 0.97, "cost": 0.02},
 *    "counts": {"values": 120000, "mape_zero_labels": 0},
 *    "per_output": [{"index": 0, "mae": 0.011, "rmse": 0.015, "mape": 0.004, "r2": 0.98}],
 *    "notes": [],
 *    "latency": {
 *      "overall": {"batch_size": null, "calls": 5, "rows": 5000, "mean_ms": 2.1,
 *                  "p50_ms": 2.0, "p95_ms": 2.9, "p99_ms": 2.9, "max_ms": 2.9},
 *      "by_batch_size": [{"batch_size": 904, ...}, {"batch_size": 1024, ...}]}},
 *  "baseline": {... as candidate ...},
 *  "deltas": [{"metric": "mae", "candidate": 0.012, "baseline": 0.015,
 *              "absolute": -0.003, "relative": -0.2}],
 *  "verdict": null,
 *  "sample": {"columns": ["row", "output", "label", "candidate", "baseline"],
 *             "rows": [[17, 3, 0.031, 0.029, 0.035]]}}
 * }</pre>
 *
 * <p>Without a baseline, {@code baseline_version} and {@code baseline} are null, {@code deltas}
 * is empty and the sample's baseline column is null. A classification's candidate has
 * {@code accuracy}, {@code precision_macro}, {@code recall_macro}, {@code f1_macro},
 * {@code log_loss}, counts {@code classes} and {@code correct}, an empty {@code per_output},
 * and sample rows whose label and predictions are class indexes. The verdict, once the
 * approval workflow sets it: {@code {"outcome": "pass|fail|inconclusive", "gates": [{"metric":
 * "rmse", "rule": "<= 1.00 x baseline", "actual": 0.016, "bound": 0.018, "outcome": "pass",
 * "detail": "..."}]}}. Unknown fields are ignored on reading. Stateless; thread-safe.
 */
public final class EvaluationJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> SAMPLE_COLUMNS =
      List.of("row", "output", "label", "candidate", "baseline");

  private EvaluationJson() {}

  /** The evaluation as pretty-printed JSON, newline-terminated. */
  public static byte[] encode(Evaluation e) {
    try {
      return (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(e)) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode evaluation " + e.id() + ": "
          + ex.getOriginalMessage(), ex);
    }
  }

  /** The evaluation as a JSON tree (for transports that embed it). */
  public static ObjectNode toTree(Evaluation e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", e.id());
    o.put("model", e.model());
    o.put("version", e.version());
    o.put("baseline_version", e.baselineVersion());
    ObjectNode d = o.putObject("dataset");
    d.put("name", e.dataset().name());
    d.put("sha256", e.dataset().sha256());
    d.put("rows", e.dataset().rows());
    o.put("started_at", e.startedAt().toString());
    o.put("finished_at", e.finishedAt().toString());
    o.put("actor", e.actor());
    o.put("kind", e.kind().wireName());
    o.set("candidate", result(e.candidate()));
    o.set("baseline", e.baseline() == null ? o.nullNode() : result(e.baseline()));
    ArrayNode deltas = o.putArray("deltas");
    for (Delta x : e.deltas()) {
      ObjectNode n = deltas.addObject();
      n.put("metric", x.metric());
      n.put("candidate", x.candidate());
      n.put("baseline", x.baseline());
      n.put("absolute", x.absolute());
      n.put("relative", x.relative());
    }
    o.set("verdict", e.verdict() == null ? o.nullNode() : verdict(e.verdict()));
    ObjectNode sample = o.putObject("sample");
    SAMPLE_COLUMNS.forEach(sample.putArray("columns")::add);
    ArrayNode rows = sample.putArray("rows");
    for (SamplePoint p : e.sample()) {
      rows.addArray().add(p.row()).add(p.output()).add(p.label()).add(p.candidate())
          .add(p.baseline());
    }
    return o;
  }

  private static ObjectNode result(VersionResult r) {
    ObjectNode o = MAPPER.createObjectNode();
    MetricSet m = r.metrics();
    o.put("version", r.version());
    o.put("rows", m.rows());
    ObjectNode metrics = o.putObject("metrics");
    m.values().forEach(metrics::put);
    ObjectNode counts = o.putObject("counts");
    m.counts().forEach(counts::put);
    ArrayNode outputs = o.putArray("per_output");
    for (MetricSet.OutputMetrics x : m.outputs()) {
      outputs.addObject().put("index", x.index()).put("mae", x.mae()).put("rmse", x.rmse())
          .put("mape", x.mape()).put("r2", x.r2());
    }
    m.notes().forEach(o.putArray("notes")::add);
    ObjectNode latency = o.putObject("latency");
    latency.set("overall", latency(r.latency().overall()));
    ArrayNode sizes = latency.putArray("by_batch_size");
    r.latency().byBatchSize().forEach(s -> sizes.add(latency(s)));
    return o;
  }

  private static ObjectNode latency(LatencyStats s) {
    return MAPPER.createObjectNode().put("batch_size", s.batchSize()).put("calls", s.calls())
        .put("rows", s.rows()).put("mean_ms", s.meanMs()).put("p50_ms", s.p50Ms())
        .put("p95_ms", s.p95Ms()).put("p99_ms", s.p99Ms()).put("max_ms", s.maxMs());
  }

  private static ObjectNode verdict(Verdict v) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("outcome", v.outcome().wireName());
    ArrayNode gates = o.putArray("gates");
    for (GateResult g : v.gates()) {
      gates.addObject().put("metric", g.metric()).put("rule", g.rule()).put("actual", g.actual())
          .put("bound", g.bound()).put("outcome", g.outcome().wireName())
          .put("detail", g.detail());
    }
    return o;
  }

  /**
   * Parses an evaluation.
   *
   * @throws IllegalArgumentException naming the field at fault when the JSON is not an
   *     evaluation
   */
  public static Evaluation decode(byte[] bytes) {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()),
          e);
    }
    return fromTree(root);
  }

  /** Parses an evaluation from a JSON tree. */
  public static Evaluation fromTree(JsonNode root) {
    Reader r = new Reader();
    try {
      return r.evaluation(root);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("not an evaluation: " + r.at + ": "
          + (e.getMessage() == null ? "missing" : e.getMessage()), e);
    }
  }

  /** Reads the tree, remembering the field it is at for the error message. */
  private static final class Reader {
    String at = "the top level";

    Evaluation evaluation(JsonNode o) {
      object(o, "the top level");
      JsonNode d = object(o.get("dataset"), "dataset");
      DatasetRef dataset = new DatasetRef(text(d, "name"), text(d, "sha256"), integer(d,
          "rows"));
      TaskKind kind = TaskKind.parse(text(o, "kind"));
      if (kind == null) {
        throw new IllegalArgumentException("expected regression or classification");
      }
      VersionResult candidate = result(o.get("candidate"), kind, "candidate");
      JsonNode b = o.get("baseline");
      VersionResult baseline = b == null || b.isNull() ? null : result(b, kind, "baseline");
      List<Delta> deltas = new ArrayList<>();
      for (JsonNode x : array(o, "deltas")) {
        deltas.add(new Delta(text(x, "metric"), number(x, "candidate"), number(x, "baseline"),
            number(x, "absolute"), number(x, "relative")));
      }
      List<SamplePoint> sample = new ArrayList<>();
      for (JsonNode x : array(object(o.get("sample"), "sample"), "rows")) {
        at = "sample row " + sample.size();
        if (!x.isArray() || x.size() != SAMPLE_COLUMNS.size()) {
          throw new IllegalArgumentException("expected " + SAMPLE_COLUMNS);
        }
        sample.add(new SamplePoint(x.get(0).asLong(), x.get(1).asInt(), x.get(2).asDouble(),
            x.get(3).asDouble(), x.get(4).isNull() ? null : x.get(4).asDouble()));
      }
      JsonNode v = o.get("verdict");
      return new Evaluation(text(o, "id"), text(o, "model"), text(o, "version"),
          optionalText(o, "baseline_version"), dataset, instant(o, "started_at"),
          instant(o, "finished_at"), text(o, "actor"), kind, candidate, baseline, deltas,
          sample, v == null || v.isNull() ? null : verdict(v));
    }

    VersionResult result(JsonNode o, TaskKind kind, String name) {
      object(o, name);
      Map<String, Double> values = new LinkedHashMap<>();
      object(o.get("metrics"), name + ".metrics").properties().forEach(e ->
          values.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asDouble()));
      Map<String, Long> counts = new LinkedHashMap<>();
      object(o.get("counts"), name + ".counts").properties().forEach(e ->
          counts.put(e.getKey(), e.getValue().asLong()));
      List<MetricSet.OutputMetrics> outputs = new ArrayList<>();
      for (JsonNode x : array(o, "per_output")) {
        outputs.add(new MetricSet.OutputMetrics((int) integer(x, "index"), number(x, "mae"),
            number(x, "rmse"), number(x, "mape"), number(x, "r2")));
      }
      List<String> notes = new ArrayList<>();
      array(o, "notes").forEach(x -> notes.add(x.asText()));
      JsonNode lat = object(o.get("latency"), name + ".latency");
      List<LatencyStats> sizes = new ArrayList<>();
      array(lat, "by_batch_size").forEach(x -> sizes.add(latency(x)));
      MetricSet metrics = new MetricSet(kind, integer(o, "rows"), values, counts, outputs,
          notes);
      return new VersionResult(text(o, "version"), metrics,
          new Latency(latency(object(lat.get("overall"), name + ".latency.overall")), sizes));
    }

    LatencyStats latency(JsonNode x) {
      JsonNode size = x.get("batch_size");
      return new LatencyStats(size == null || size.isNull() ? null : size.asInt(),
          integer(x, "calls"), integer(x, "rows"), number(x, "mean_ms"), number(x, "p50_ms"),
          number(x, "p95_ms"), number(x, "p99_ms"), number(x, "max_ms"));
    }

    Verdict verdict(JsonNode o) {
      List<GateResult> gates = new ArrayList<>();
      for (JsonNode g : array(o, "gates")) {
        gates.add(new GateResult(text(g, "metric"), text(g, "rule"), number(g, "actual"),
            number(g, "bound"), Verdict.Outcome.parse(text(g, "outcome")), text(g, "detail")));
      }
      return new Verdict(Verdict.Outcome.parse(text(o, "outcome")), gates);
    }

    JsonNode object(JsonNode n, String name) {
      at = name;
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("expected an object");
      }
      return n;
    }

    Iterable<JsonNode> array(JsonNode o, String field) {
      at = field;
      JsonNode n = o.get(field);
      if (n == null || !n.isArray()) {
        throw new IllegalArgumentException("expected an array");
      }
      return n;
    }

    String text(JsonNode o, String field) {
      String s = optionalText(o, field);
      if (s == null) {
        throw new IllegalArgumentException("expected a string");
      }
      return s;
    }

    String optionalText(JsonNode o, String field) {
      at = field;
      JsonNode n = o.get(field);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isTextual()) {
        throw new IllegalArgumentException("expected a string");
      }
      return n.asText();
    }

    Double number(JsonNode o, String field) {
      at = field;
      JsonNode n = o.get(field);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isNumber()) {
        throw new IllegalArgumentException("expected a number");
      }
      return n.asDouble();
    }

    long integer(JsonNode o, String field) {
      at = field;
      JsonNode n = o.get(field);
      if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
        throw new IllegalArgumentException("expected an integer");
      }
      return n.asLong();
    }

    Instant instant(JsonNode o, String field) {
      String s = text(o, field);
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("expected an ISO-8601 instant");
      }
    }
  }
}
