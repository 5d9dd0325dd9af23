package io.mlserve.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.experiments.MetricPoint;
import io.mlserve.experiments.Run;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON answers of {@link AdminRuns}: a run as its files hold it (snake_case, times in epoch
 * milliseconds, {@code end_time} 0 while running, metrics as series of
 * {@code {step, value, timestamp}}), the same content as the gRPC {@code Run} message.
 * Stateless; thread-safe.
 */
final class AdminRunsJson {
  private AdminRunsJson() {}

  static HttpReply run(int status, Run r) {
    return HttpReply.json(status, Json.write(512, g -> write(g, r)));
  }

  /** {@code {"model": m, "runs": [run...]}}, oldest first. */
  static HttpReply runs(String model, List<Run> runs) {
    return HttpReply.json(200, Json.write(1024, g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeArrayFieldStart("runs");
      for (Run r : runs) {
        write(g, r);
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  /**
   * The runs side by side, as {@code mlctl runs compare} shows them: {@code runs} (full),
   * {@code params} (key → run id → value) and {@code metrics} (key → run id → last value); a
   * run without a key is absent from that key's object.
   */
  static HttpReply compare(String model, List<Run> runs) {
    TreeSet<String> params = new TreeSet<>();
    TreeSet<String> metrics = new TreeSet<>();
    for (Run r : runs) {
      params.addAll(r.params().keySet());
      metrics.addAll(r.latestMetrics().keySet());
    }
    return HttpReply.json(200, Json.write(1024, g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeArrayFieldStart("runs");
      for (Run r : runs) {
        write(g, r);
      }
      g.writeEndArray();
      g.writeObjectFieldStart("params");
      for (String k : params) {
        g.writeObjectFieldStart(k);
        for (Run r : runs) {
          if (r.params().containsKey(k)) {
            g.writeFieldName(r.runId());
            g.writeObject(r.params().get(k));
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("metrics");
      for (String k : metrics) {
        g.writeObjectFieldStart(k);
        for (Run r : runs) {
          Object v = r.latestMetrics().get(k);
          if (v instanceof Number n) {
            g.writeNumberField(r.runId(), n.doubleValue());
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
    }));
  }

  private static void write(JsonGenerator g, Run r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.model());
    g.writeStringField("run_id", r.runId());
    g.writeStringField("name", r.name());
    g.writeStringField("status", r.status());
    g.writeNumberField("start_time", r.startTime());
    g.writeNumberField("end_time", r.endTime());
    g.writeStringField("source", r.source());
    g.writeFieldName("params");
    g.writeObject(r.params());
    g.writeObjectFieldStart("metrics");
    for (Map.Entry<String, List<MetricPoint>> e : r.metrics().entrySet()) {
      g.writeArrayFieldStart(e.getKey());
      for (MetricPoint p : e.getValue()) {
        g.writeStartObject();
        g.writeNumberField("step", p.step());
        g.writeNumberField("value", p.value());
        g.writeNumberField("timestamp", p.timestamp());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeFieldName("tags");
    g.writeObject(r.tags());
    g.writeArrayFieldStart("artifacts");
    for (String a : r.artifacts()) {
      g.writeString(a);
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
