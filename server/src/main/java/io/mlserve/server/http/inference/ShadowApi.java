package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.shadow.ShadowReport;
import io.mlserve.server.shadow.Shadows;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A model's shadow report over REST: {@code GET /api/v1/models/{model}/shadow} — what was
 * mirrored and dropped, the shadow's errors, timeouts and latency, the agreement with the
 * primary within the tolerances, the divergence per output and the worst-diverging examples. A
 * model with no shadow is 404 naming the models that have one. In memory and cheap: answers on
 * the event loop. This class is thread-safe.
 */
public final class ShadowApi {
  private final Shadows shadows;

  public ShadowApi(Shadows shadows) {
    this.shadows = Objects.requireNonNull(shadows, "shadows");
  }

  public void register(Routes routes) {
    routes.add("GET", "/api/v1/models/{model}/shadow", c -> CompletableFuture.completedFuture(
        HttpReply.json(200, Json.write(g -> write(g, shadows.report(c.param("model")))))));
  }

  /** The report as JSON (every field present, null where there is no value). */
  static void write(JsonGenerator g, ShadowReport r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.model());
    g.writeStringField("version", r.version());
    g.writeNumberField("sample", r.config().sample());
    g.writeNumberField("atol", r.config().atol());
    g.writeNumberField("rtol", r.config().rtol());
    g.writeNumberField("started_at_ms", r.startedAtMillis());
    g.writeNumberField("mirrored", r.mirrored());
    g.writeNumberField("dropped", r.dropped());
    g.writeNumberField("queued", r.queued());
    g.writeNumberField("compared", r.compared());
    g.writeNumberField("agreed", r.agreed());
    number(g, "agreement_ratio", r.agreementRatio());
    g.writeNumberField("errors", r.errors());
    g.writeNumberField("timeouts", r.timeouts());
    number(g, "error_rate", r.errorRate());
    g.writeObjectFieldStart("latency_ms");
    number(g, "p50", r.p50Ms());
    number(g, "p95", r.p95Ms());
    number(g, "p99", r.p99Ms());
    g.writeEndObject();
    g.writeArrayFieldStart("outputs");
    for (ShadowReport.Output o : r.outputs()) {
      g.writeStartObject();
      g.writeStringField("name", o.name());
      g.writeNumberField("requests", o.requests());
      g.writeNumberField("mismatched", o.mismatched());
      g.writeNumberField("elements", o.elements());
      number(g, "mean_abs_diff", o.meanAbsDiff());
      number(g, "max_abs_diff", o.maxAbsDiff());
      number(g, "mean_rel_diff", o.meanRelDiff());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("worst");
    for (ShadowReport.Example e : r.worst()) {
      g.writeStartObject();
      g.writeStringField("request_id", e.requestId());
      g.writeStringField("primary_version", e.primaryVersion());
      g.writeNumberField("max_abs_diff", e.maxAbsDiff());
      previews(g, "inputs", e.inputs());
      previews(g, "primary", e.primary());
      previews(g, "shadow", e.shadow());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void previews(JsonGenerator g, String field, List<ShadowReport.Preview> ps)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (ShadowReport.Preview p : ps) {
      g.writeStartObject();
      g.writeStringField("name", p.name());
      g.writeStringField("datatype", p.datatype());
      g.writeArrayFieldStart("shape");
      for (long d : p.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeNumberField("elements", p.elements());
      g.writeArrayFieldStart("values");
      for (double v : p.values()) {
        g.writeNumber(v);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void number(JsonGenerator g, String field, Double v) throws IOException {
    if (v == null || !Double.isFinite(v)) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, v);
    }
  }
}
