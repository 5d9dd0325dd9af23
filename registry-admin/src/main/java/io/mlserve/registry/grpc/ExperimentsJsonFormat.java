package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.serving.v1.AbArm;
import io.mlserve.proto.serving.v1.AbComparison;
import io.mlserve.proto.serving.v1.AbOutcome;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.AbWindow;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.proto.serving.v1.MetricValue;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON shape of the experiments API's answers ({@code mlserve.serving.v1}), written by
 * both {@code mlctl ab report --output json} and the server's REST routes
 * ({@code POST /api/v1/feedback}, {@code GET /api/v1/models/{m}/ab}) from the protos. Names are
 * snake_case; an absent value is {@code null}; per-metric values are objects keyed by the
 * metric ({@code "mae"}, {@code "rmse"}, {@code "accuracy"}, {@code "reward"}). Stateless;
 * thread-safe.
 */
public final class ExperimentsJsonFormat {
  private ExperimentsJsonFormat() {}

  /**
   * {@code {model, request_id, version, outcomes: {metric: value}, counted, window, split_id,
   * note}}.
   */
  public static void feedback(JsonGenerator g, FeedbackResponse r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    g.writeStringField("request_id", r.getRequestId());
    g.writeStringField("version", r.getVersion());
    g.writeObjectFieldStart("outcomes");
    for (MetricValue v : r.getOutcomesList()) {
      g.writeNumberField(v.getMetric(), v.getValue());
    }
    g.writeEndObject();
    g.writeBooleanField("counted", r.getCounted());
    g.writeStringField("window", r.hasWindow() ? r.getWindow() : null);
    g.writeStringField("split_id", r.hasSplitId() ? r.getSplitId() : null);
    g.writeStringField("note", r.hasNote() ? r.getNote() : null);
    g.writeEndObject();
  }

  /** {@code {model, current: window|null, previous: window|null}}; see {@link #window}. */
  public static void report(JsonGenerator g, AbReportResponse r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    g.writeFieldName("current");
    window(g, r.hasCurrent() ? r.getCurrent() : null);
    g.writeFieldName("previous");
    window(g, r.hasPrevious() ? r.getPrevious() : null);
    g.writeEndObject();
  }

  /**
   * {@code {split_id, weights: {version: weight}, started_at_ms, ended_at_ms, baseline,
   * min_outcomes, arms: [...], comparisons: [...], verdict, untracked_requests}}; an arm is
   * {@code {version, weight, requests, errors, error_rate, latency_ms: {p50, p95, p99},
   * outcomes: {metric: {n, value, ci_low, ci_high}}}}, a comparison {@code {version, baseline,
   * metric, n, baseline_n, difference, p_value, significant, verdict}}.
   */
  static void window(JsonGenerator g, AbWindow w) throws IOException {
    if (w == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeStringField("split_id", w.hasSplitId() ? w.getSplitId() : null);
    g.writeObjectFieldStart("weights");
    for (Map.Entry<String, Double> e : new TreeMap<>(w.getWeightsMap()).entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    g.writeNumberField("started_at_ms", w.getStartedAtMs());
    g.writeFieldName("ended_at_ms");
    if (w.hasEndedAtMs()) {
      g.writeNumber(w.getEndedAtMs());
    } else {
      g.writeNull();
    }
    g.writeStringField("baseline", w.hasBaseline() ? w.getBaseline() : null);
    g.writeNumberField("min_outcomes", w.getMinOutcomes());
    g.writeArrayFieldStart("arms");
    for (AbArm a : w.getArmsList()) {
      arm(g, a);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("comparisons");
    for (AbComparison c : w.getComparisonsList()) {
      g.writeStartObject();
      g.writeStringField("version", c.getVersion());
      g.writeStringField("baseline", c.getBaseline());
      g.writeStringField("metric", c.getMetric());
      g.writeNumberField("n", c.getN());
      g.writeNumberField("baseline_n", c.getBaselineN());
      g.writeNumberField("difference", c.getDifference());
      number(g, "p_value", c.hasPValue(), c.getPValue());
      g.writeBooleanField("significant", c.getSignificant());
      g.writeStringField("verdict", c.getVerdict());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("verdict", w.getVerdict());
    g.writeNumberField("untracked_requests", w.getUntrackedRequests());
    g.writeEndObject();
  }

  private static void arm(JsonGenerator g, AbArm a) throws IOException {
    g.writeStartObject();
    g.writeStringField("version", a.getVersion());
    g.writeFieldName("weight");
    if (a.hasWeight()) {
      g.writeNumber(a.getWeight());
    } else {
      g.writeNull();
    }
    g.writeNumberField("requests", a.getRequests());
    g.writeNumberField("errors", a.getErrors());
    number(g, "error_rate", a.hasErrorRate(), a.getErrorRate());
    g.writeObjectFieldStart("latency_ms");
    number(g, "p50", a.hasP50Ms(), a.getP50Ms());
    number(g, "p95", a.hasP95Ms(), a.getP95Ms());
    number(g, "p99", a.hasP99Ms(), a.getP99Ms());
    g.writeEndObject();
    g.writeObjectFieldStart("outcomes");
    for (AbOutcome o : a.getOutcomesList()) {
      g.writeObjectFieldStart(o.getMetric());
      g.writeNumberField("n", o.getN());
      g.writeNumberField("value", o.getValue());
      number(g, "ci_low", o.hasCiLow(), o.getCiLow());
      number(g, "ci_high", o.hasCiHigh(), o.getCiHigh());
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** {@code value} when present and finite, else null. */
  static void number(JsonGenerator g, String field, boolean present, double value)
      throws IOException {
    g.writeFieldName(field);
    if (present && Double.isFinite(value)) {
      g.writeNumber(value);
    } else {
      g.writeNull();
    }
  }
}
