package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.serving.v1.ShadowExample;
import io.mlserve.proto.serving.v1.ShadowOutput;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.proto.serving.v1.TensorPreview;
import java.io.IOException;
import java.util.List;

/**
 * The one JSON shape of a shadow report ({@code mlserve.serving.v1.ShadowReportResponse}),
 * written by both the server's {@code GET /api/v1/models/{m}/shadow} and
 * {@code mlctl shadow report --output json}: every field present, snake_case, {@code null} where
 * there is no value (an unset {@code optional}, or a figure that is not finite). An example's
 * {@code max_abs_diff} and preview values are written as they are, so a mismatched output's
 * Infinity reads {@code "Infinity"} (Jackson's default for non-finite numbers). Stateless;
 * thread-safe.
 */
public final class ShadowJsonFormat {
  private ShadowJsonFormat() {}

  /**
   * {@code {model, version, sample, atol, rtol, started_at_ms, mirrored, dropped, queued,
   * compared, agreed, agreement_ratio, errors, timeouts, error_rate, latency_ms: {p50, p95, p99},
   * outputs: [{name, requests, mismatched, elements, mean_abs_diff, max_abs_diff,
   * mean_rel_diff}], worst: [{request_id, primary_version, max_abs_diff, inputs, primary,
   * shadow}]}}; a preview is {@code {name, datatype, shape, elements, values}}.
   */
  public static void report(JsonGenerator g, ShadowReportResponse r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    g.writeStringField("version", r.getVersion());
    g.writeNumberField("sample", r.getSample());
    g.writeNumberField("atol", r.getAtol());
    g.writeNumberField("rtol", r.getRtol());
    g.writeNumberField("started_at_ms", r.getStartedAtMs());
    g.writeNumberField("mirrored", r.getMirrored());
    g.writeNumberField("dropped", r.getDropped());
    g.writeNumberField("queued", r.getQueued());
    g.writeNumberField("compared", r.getCompared());
    g.writeNumberField("agreed", r.getAgreed());
    ExperimentsJsonFormat.number(g, "agreement_ratio", r.hasAgreementRatio(),
        r.getAgreementRatio());
    g.writeNumberField("errors", r.getErrors());
    g.writeNumberField("timeouts", r.getTimeouts());
    ExperimentsJsonFormat.number(g, "error_rate", r.hasErrorRate(), r.getErrorRate());
    g.writeObjectFieldStart("latency_ms");
    ExperimentsJsonFormat.number(g, "p50", r.hasP50Ms(), r.getP50Ms());
    ExperimentsJsonFormat.number(g, "p95", r.hasP95Ms(), r.getP95Ms());
    ExperimentsJsonFormat.number(g, "p99", r.hasP99Ms(), r.getP99Ms());
    g.writeEndObject();
    g.writeArrayFieldStart("outputs");
    for (ShadowOutput o : r.getOutputsList()) {
      g.writeStartObject();
      g.writeStringField("name", o.getName());
      g.writeNumberField("requests", o.getRequests());
      g.writeNumberField("mismatched", o.getMismatched());
      g.writeNumberField("elements", o.getElements());
      ExperimentsJsonFormat.number(g, "mean_abs_diff", o.hasMeanAbsDiff(), o.getMeanAbsDiff());
      ExperimentsJsonFormat.number(g, "max_abs_diff", o.hasMaxAbsDiff(), o.getMaxAbsDiff());
      ExperimentsJsonFormat.number(g, "mean_rel_diff", o.hasMeanRelDiff(), o.getMeanRelDiff());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("worst");
    for (ShadowExample e : r.getWorstList()) {
      g.writeStartObject();
      g.writeStringField("request_id", e.hasRequestId() ? e.getRequestId() : null);
      g.writeStringField("primary_version", e.getPrimaryVersion());
      g.writeNumberField("max_abs_diff", e.getMaxAbsDiff());
      previews(g, "inputs", e.getInputsList());
      previews(g, "primary", e.getPrimaryList());
      previews(g, "shadow", e.getShadowList());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void previews(JsonGenerator g, String field, List<TensorPreview> ps)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorPreview p : ps) {
      g.writeStartObject();
      g.writeStringField("name", p.getName());
      g.writeStringField("datatype", p.getDatatype());
      g.writeArrayFieldStart("shape");
      for (long d : p.getShapeList()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeNumberField("elements", p.getElements());
      g.writeArrayFieldStart("values");
      for (double v : p.getValuesList()) {
        g.writeNumber(v);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
