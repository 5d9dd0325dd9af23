package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.serving.v1.FeatureDrift;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.proto.serving.v1.PerformanceDrift;
import io.mlserve.proto.serving.v1.VersionDrift;
import java.io.IOException;
import java.util.List;

/**
 * The one JSON shape of a drift report ({@code mlserve.serving.v1.GetDriftResponse}), written
 * by both the server's {@code GET /api/v1/models/{m}/drift} and {@code mlctl drift --output
 * json}: every field present, snake_case, {@code null} where there is no value (an unset
 * {@code optional}). Stateless; thread-safe.
 */
public final class DriftJsonFormat {
  private DriftJsonFormat() {}

  /**
   * {@code {model, note, versions: [{version, reference: {source, rows, live, outputs_live},
   * window: {rows, capacity, sampled_rows}, computed_at_ms, compared, drifted_share,
   * feature_psi_max, feature_ks_max, prediction_psi_max, psi_threshold, features: [{name, psi,
   * ks, drifted, rows, missing, live_mean, reference_mean}], outputs: [same], performance:
   * {metric, live, outcomes, evaluated, evaluation_id, drift} | null, status}]}}.
   */
  public static void report(JsonGenerator g, GetDriftResponse r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    g.writeStringField("note", r.hasNote() ? r.getNote() : null);
    g.writeArrayFieldStart("versions");
    for (VersionDrift v : r.getVersionsList()) {
      version(g, v);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void version(JsonGenerator g, VersionDrift v) throws IOException {
    g.writeStartObject();
    g.writeStringField("version", v.getVersion());
    g.writeObjectFieldStart("reference");
    g.writeStringField("source", v.hasReferenceSource() ? v.getReferenceSource() : null);
    g.writeNumberField("rows", v.getReferenceRows());
    g.writeBooleanField("live", v.getReferenceLive());
    g.writeBooleanField("outputs_live", v.getOutputsLive());
    g.writeEndObject();
    g.writeObjectFieldStart("window");
    g.writeNumberField("rows", v.getWindowRows());
    g.writeNumberField("capacity", v.getWindowCapacity());
    g.writeNumberField("sampled_rows", v.getSampledRows());
    g.writeEndObject();
    g.writeFieldName("computed_at_ms");
    if (v.hasComputedAtMs()) {
      g.writeNumber(v.getComputedAtMs());
    } else {
      g.writeNull();
    }
    g.writeBooleanField("compared", v.getCompared());
    ExperimentsJsonFormat.number(g, "drifted_share", v.hasDriftedShare(), v.getDriftedShare());
    ExperimentsJsonFormat.number(g, "feature_psi_max", v.hasFeaturePsiMax(),
        v.getFeaturePsiMax());
    ExperimentsJsonFormat.number(g, "feature_ks_max", v.hasFeatureKsMax(), v.getFeatureKsMax());
    ExperimentsJsonFormat.number(g, "prediction_psi_max", v.hasPredictionPsiMax(),
        v.getPredictionPsiMax());
    g.writeNumberField("psi_threshold", v.getPsiThreshold());
    features(g, "features", v.getFeaturesList());
    features(g, "outputs", v.getOutputsList());
    g.writeFieldName("performance");
    if (v.hasPerformance()) {
      PerformanceDrift p = v.getPerformance();
      g.writeStartObject();
      g.writeStringField("metric", p.getMetric());
      ExperimentsJsonFormat.number(g, "live", true, p.getLive());
      g.writeNumberField("outcomes", p.getOutcomes());
      ExperimentsJsonFormat.number(g, "evaluated", p.hasEvaluated(), p.getEvaluated());
      g.writeStringField("evaluation_id", p.hasEvaluationId() ? p.getEvaluationId() : null);
      ExperimentsJsonFormat.number(g, "drift", p.hasDrift(), p.getDrift());
      g.writeEndObject();
    } else {
      g.writeNull();
    }
    g.writeStringField("status", v.getStatus());
    g.writeEndObject();
  }

  private static void features(JsonGenerator g, String field, List<FeatureDrift> fs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (FeatureDrift f : fs) {
      g.writeStartObject();
      g.writeStringField("name", f.getName());
      ExperimentsJsonFormat.number(g, "psi", true, f.getPsi());
      ExperimentsJsonFormat.number(g, "ks", true, f.getKs());
      g.writeBooleanField("drifted", f.getDrifted());
      g.writeNumberField("rows", f.getRows());
      g.writeNumberField("missing", f.getMissing());
      ExperimentsJsonFormat.number(g, "live_mean", true, f.getLiveMean());
      ExperimentsJsonFormat.number(g, "reference_mean", true, f.getReferenceMean());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
