package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.proto.admin.v1.CleanupResponse;
import io.mlserve.proto.admin.v1.HistoryEntry;
import io.mlserve.proto.admin.v1.ListModelsResponse;
import io.mlserve.proto.admin.v1.MetricPoint;
import io.mlserve.proto.admin.v1.MetricSeries;
import io.mlserve.proto.admin.v1.ModelInfo;
import io.mlserve.proto.admin.v1.ModelSummary;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.Run;
import io.mlserve.proto.admin.v1.TrafficArm;
import io.mlserve.proto.admin.v1.TrafficResponse;
import io.mlserve.proto.admin.v1.TransitionResponse;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one JSON shape of each admin API answer, written by both {@code mlctl --output json} and
 * the server's REST admin routes, from the admin protos (the REST side converts with
 * {@link AdminProtos}). Names are the store's snake_case ones ({@code "production"},
 * {@code "run_id"}, {@code "from_stage"}); a value that is absent is {@code null}, never
 * {@code ""} or 0; free-form JSON (manifest, params) is nested as JSON, not as text. Each method
 * writes one complete value. Stateless; thread-safe.
 */
public final class AdminJsonFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminJsonFormat() {}

  /** Writes one JSON value. */
  @FunctionalInterface
  public interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** {@code body} as JSON text, indented when {@code pretty}. */
  public static String toString(Body body, boolean pretty) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      if (pretty) {
        g.useDefaultPrettyPrinter();
      }
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** {@code {"models": [{name, production, staging, latest, versions: [names]}...]}}. */
  public static void models(JsonGenerator g, ListModelsResponse r) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("models");
    for (ModelSummary s : r.getModelsList()) {
      g.writeStartObject();
      summary(g, s);
      g.writeArrayFieldStart("versions");
      for (String v : s.getVersionsList()) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * {@code {name, production, staging, latest, versions: [version...], serving}}: serving is
   * written by {@code serving} (the answering server's live status), null where not known.
   */
  public static void model(JsonGenerator g, ModelInfo info, Body servingOrNull)
      throws IOException {
    g.writeStartObject();
    summary(g, info.getSummary());
    g.writeArrayFieldStart("versions");
    for (ModelVersion v : info.getVersionsList()) {
      version(g, v);
    }
    g.writeEndArray();
    g.writeFieldName("serving");
    if (servingOrNull == null) {
      g.writeNull();
    } else {
      servingOrNull.write(g);
    }
    g.writeEndObject();
  }

  /** {@code {"model": m, "versions": [version...]}}. */
  public static void versions(JsonGenerator g, String model, List<ModelVersion> versions)
      throws IOException {
    g.writeStartObject();
    modelAndList(g, model, "versions", versions, AdminJsonFormat::version);
    g.writeEndObject();
  }

  /**
   * A version: {@code model, version, stage, format, sha256, run_id, description, created_at}
   * (as model.json holds it), {@code manifest} (the whole model.json), and {@code validation}
   * (how it was checked) only in the answer to a registration.
   */
  public static void version(JsonGenerator g, ModelVersion v) throws IOException {
    JsonNode manifest = v.getManifestJson().isEmpty() ? null : JSON.readTree(v.getManifestJson());
    g.writeStartObject();
    g.writeStringField("model", v.getModel());
    g.writeStringField("version", v.getVersion());
    g.writeStringField("stage", v.getStage());
    g.writeStringField("format", orNull(v.getFormat()));
    g.writeStringField("sha256", orNull(v.getSha256()));
    g.writeStringField("run_id", orNull(v.getRunId()));
    g.writeStringField("description", orNull(v.getDescription()));
    JsonNode created = manifest == null ? null : manifest.get("created_at");
    g.writeStringField("created_at", created == null || created.isNull() ? null
        : created.asText());
    g.writeFieldName("manifest");
    if (manifest == null) {
      g.writeNull();
    } else {
      JSON.writeTree(g, manifest);
    }
    if (!v.getValidation().isEmpty()) {
      g.writeStringField("validation", v.getValidation());
    }
    g.writeEndObject();
  }

  /**
   * {@code {"model": m, "history": [{timestamp, version, from_stage, to_stage, actor,
   * reason}...]}}, timestamp in epoch milliseconds.
   */
  public static void history(JsonGenerator g, String model, List<HistoryEntry> entries)
      throws IOException {
    g.writeStartObject();
    modelAndList(g, model, "history", entries, (h, e) -> {
      h.writeStartObject();
      h.writeNumberField("timestamp", e.getTimestampMs());
      h.writeStringField("version", e.getVersion());
      h.writeStringField("from_stage", orNull(e.getFromStage()));
      h.writeStringField("to_stage", e.getToStage());
      h.writeStringField("actor", orNull(e.getActor()));
      h.writeStringField("reason", orNull(e.getReason()));
      h.writeEndObject();
    });
    g.writeEndObject();
  }

  /** {@code {model, version, from_stage, to_stage, previous_version}}. */
  public static void transition(JsonGenerator g, TransitionResponse t) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", t.getModel());
    g.writeStringField("version", t.getVersion());
    g.writeStringField("from_stage", orNull(t.getFromStage()));
    g.writeStringField("to_stage", t.getToStage());
    g.writeStringField("previous_version", orNull(t.getPreviousVersion()));
    g.writeEndObject();
  }

  /**
   * {@code {model, split: {version: weight...} | null, buckets: {version: count...} | null,
   * seq, actor, reason, updated_at}}: seq, actor, reason and updated_at are null when the model
   * never had a split; weights and buckets keep the split's order.
   */
  public static void traffic(JsonGenerator g, TrafficResponse t) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", t.getModel());
    if (t.getHasSplit()) {
      g.writeObjectFieldStart("split");
      for (TrafficArm a : t.getArmsList()) {
        g.writeNumberField(a.getVersion(), a.getWeight());
      }
      g.writeEndObject();
      g.writeObjectFieldStart("buckets");
      for (TrafficArm a : t.getArmsList()) {
        g.writeNumberField(a.getVersion(), a.getBuckets());
      }
      g.writeEndObject();
    } else {
      g.writeNullField("split");
      g.writeNullField("buckets");
    }
    boolean recorded = t.getSeq() > 0;
    if (recorded) {
      g.writeNumberField("seq", t.getSeq());
    } else {
      g.writeNullField("seq");
    }
    g.writeStringField("actor", orNull(t.getActor()));
    g.writeStringField("reason", orNull(t.getReason()));
    if (recorded) {
      g.writeNumberField("updated_at", t.getUpdatedAtMs());
    } else {
      g.writeNullField("updated_at");
    }
    g.writeEndObject();
  }

  /** {@code {removed: ["model:version"...], bytes, dry_run}}. */
  public static void cleanup(JsonGenerator g, CleanupResponse r) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("removed");
    for (String s : r.getRemovedList()) {
      g.writeString(s);
    }
    g.writeEndArray();
    g.writeNumberField("bytes", r.getBytes());
    g.writeBooleanField("dry_run", r.getDryRun());
    g.writeEndObject();
  }

  /**
   * A run as its files hold it: {@code model, run_id, name, status, start_time, end_time} (epoch
   * milliseconds; end_time null while running), {@code source, params} (object),
   * {@code metrics} (key → [{step, value, timestamp}]), {@code tags, artifacts}.
   */
  public static void run(JsonGenerator g, Run r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    g.writeStringField("run_id", r.getRunId());
    g.writeStringField("name", orNull(r.getName()));
    g.writeStringField("status", r.getStatus());
    g.writeNumberField("start_time", r.getStartTimeMs());
    g.writeFieldName("end_time");
    if (r.getEndTimeMs() > 0) {
      g.writeNumber(r.getEndTimeMs());
    } else {
      g.writeNull();
    }
    g.writeStringField("source", orNull(r.getSource()));
    g.writeFieldName("params");
    JSON.writeTree(g, params(r));
    g.writeObjectFieldStart("metrics");
    for (Map.Entry<String, MetricSeries> e : r.getMetricsMap().entrySet()) {
      g.writeArrayFieldStart(e.getKey());
      for (MetricPoint p : e.getValue().getPointsList()) {
        g.writeStartObject();
        g.writeNumberField("step", p.getStep());
        g.writeNumberField("value", p.getValue());
        g.writeNumberField("timestamp", p.getTimestampMs());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeObjectFieldStart("tags");
    for (Map.Entry<String, String> e : r.getTagsMap().entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    g.writeArrayFieldStart("artifacts");
    for (String a : r.getArtifactsList()) {
      g.writeString(a);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** {@code {"model": m, "runs": [run...]}}. */
  public static void runs(JsonGenerator g, String model, List<Run> runs) throws IOException {
    g.writeStartObject();
    modelAndList(g, model, "runs", runs, AdminJsonFormat::run);
    g.writeEndObject();
  }

  /**
   * Runs side by side: {@code model}, {@code runs} (full), {@code params} (key → run id →
   * value) and {@code metrics} (key → run id → last value); a run without a key is absent
   * from that key's object.
   */
  public static void compare(JsonGenerator g, String model, List<Run> runs) throws IOException {
    List<JsonNode> params = runs.stream().map(AdminJsonFormat::params).toList();
    TreeSet<String> paramKeys = new TreeSet<>();
    params.forEach(p -> p.fieldNames().forEachRemaining(paramKeys::add));
    TreeSet<String> metricKeys = new TreeSet<>();
    runs.forEach(r -> metricKeys.addAll(r.getMetricsMap().keySet()));
    g.writeStartObject();
    modelAndList(g, model, "runs", runs, AdminJsonFormat::run);
    g.writeObjectFieldStart("params");
    for (String k : paramKeys) {
      g.writeObjectFieldStart(k);
      for (int i = 0; i < runs.size(); i++) {
        if (params.get(i).has(k)) {
          g.writeFieldName(runs.get(i).getRunId());
          JSON.writeTree(g, params.get(i).get(k));
        }
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeObjectFieldStart("metrics");
    for (String k : metricKeys) {
      g.writeObjectFieldStart(k);
      for (Run r : runs) {
        MetricSeries s = r.getMetricsMap().get(k);
        if (s != null && s.getPointsCount() > 0) {
          g.writeNumberField(r.getRunId(), s.getPoints(s.getPointsCount() - 1).getValue());
        }
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** A run's params as a JSON object (empty when none). */
  public static JsonNode params(Run r) {
    try {
      JsonNode n = r.getParamsJson().isEmpty() ? null : JSON.readTree(r.getParamsJson());
      return n != null && n.isObject() ? n : JSON.createObjectNode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes one element of a list. */
  @FunctionalInterface
  private interface Item<T> {
    void write(JsonGenerator g, T item) throws IOException;
  }

  /** The fields {@code "model": model} and {@code field: [item...]}. */
  private static <T> void modelAndList(JsonGenerator g, String model, String field,
      List<T> items, Item<T> item) throws IOException {
    g.writeStringField("model", model);
    g.writeArrayFieldStart(field);
    for (T t : items) {
      item.write(g, t);
    }
    g.writeEndArray();
  }

  private static void summary(JsonGenerator g, ModelSummary s) throws IOException {
    g.writeStringField("name", s.getName());
    g.writeStringField("production", orNull(s.getProductionVersion()));
    g.writeStringField("staging", orNull(s.getStagingVersion()));
    g.writeStringField("latest", orNull(s.getLatestVersion()));
  }

  private static String orNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
