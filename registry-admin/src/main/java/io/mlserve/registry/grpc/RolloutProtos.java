package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.admin.v1.RolloutResponse;
import io.mlserve.proto.admin.v1.StartRolloutRequest;
import io.mlserve.registry.RolloutPlan;
import io.mlserve.store.Deployment;
import io.mlserve.store.Rollout;
import java.io.IOException;
import java.time.Duration;

/**
 * The rollout calls' conversions: a start request to a {@link RolloutPlan}, a deployment record
 * to a {@code RolloutResponse}, and that response as the JSON {@code mlctl rollout --output
 * json} prints. Stateless and thread-safe.
 */
public final class RolloutProtos {
  private RolloutProtos() {}

  /** The plan a start request asks for; unset fields take the plan's defaults. */
  public static RolloutPlan plan(StartRolloutRequest req) {
    Rollout.Thresholds d = Rollout.Thresholds.DEFAULTS;
    Rollout.Thresholds t = new Rollout.Thresholds(
        req.hasMaxErrorRate() ? req.getMaxErrorRate() : d.maxErrorRate(),
        req.hasMaxP95Ms() ? req.getMaxP95Ms() : d.maxP95Ms(),
        req.hasMinRequests() ? req.getMinRequests() : d.minRequests(),
        req.hasMaxDivergence() ? Double.valueOf(req.getMaxDivergence()) : d.maxDivergence())
        .withFeedback(req.hasMaxFeedbackRegression() ? req.getMaxFeedbackRegression() : null,
            req.hasMinFeedback() ? req.getMinFeedback() : null);
    return new RolloutPlan(req.getVersion(),
        req.getStepsCount() == 0 ? null : req.getStepsList(),
        req.getBakeMs() == 0 ? null : Duration.ofMillis(req.getBakeMs()), t,
        req.hasPauseAt() ? req.getPauseAt() : null);
  }

  /** A model's rollout and split; {@code deploymentOrNull} null: it never had a record. */
  public static RolloutResponse response(String model, Deployment deploymentOrNull) {
    RolloutResponse.Builder b = RolloutResponse.newBuilder().setModel(model)
        .setTraffic(AdminProtos.traffic(model, deploymentOrNull));
    Rollout r = deploymentOrNull == null ? null : deploymentOrNull.rollout();
    if (r == null) {
      return b.build();
    }
    io.mlserve.proto.admin.v1.Rollout.Builder p = io.mlserve.proto.admin.v1.Rollout.newBuilder()
        .setCandidate(r.candidate()).setStable(r.stable()).addAllSteps(r.steps())
        .setBakeMs(r.bakeMillis()).setMaxErrorRate(r.thresholds().maxErrorRate())
        .setMaxP95Ms(r.thresholds().maxP95Ms()).setMinRequests(r.thresholds().minRequests())
        .setMinFeedback(r.thresholds().minFeedback())
        .setStep(r.step()).setState(r.state().name()).setStepStartedAtMs(r.stepStartedAt())
        .setExtensions(r.extensions()).setLastAnalysis(AdminProtos.orEmpty(r.lastAnalysis()))
        .setAbortReason(AdminProtos.orEmpty(r.abortReason()));
    if (r.thresholds().maxDivergence() != null) {
      p.setMaxDivergence(r.thresholds().maxDivergence());
    }
    if (r.thresholds().maxFeedbackRegression() != null) {
      p.setMaxFeedbackRegression(r.thresholds().maxFeedbackRegression());
    }
    if (r.pauseAt() != null) {
      p.setPauseAt(r.pauseAt());
    }
    return b.setHasRollout(true).setRollout(p).build();
  }

  /**
   * {@code {model, rollout: {...} | null, traffic: {...}}}: the rollout with the keys of the
   * record's {@code rollout} section (every one, null when it has no value), the traffic as
   * {@code mlctl traffic show --output json} prints it.
   */
  public static void json(JsonGenerator g, RolloutResponse t) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", t.getModel());
    if (!t.getHasRollout()) {
      g.writeNullField("rollout");
    } else {
      io.mlserve.proto.admin.v1.Rollout r = t.getRollout();
      g.writeObjectFieldStart("rollout");
      g.writeStringField("candidate", r.getCandidate());
      g.writeStringField("stable", r.getStable());
      g.writeArrayFieldStart("steps");
      for (double s : r.getStepsList()) {
        g.writeNumber(s);
      }
      g.writeEndArray();
      g.writeNumberField("bake_ms", r.getBakeMs());
      g.writeObjectFieldStart("thresholds");
      g.writeNumberField("max_error_rate", r.getMaxErrorRate());
      g.writeNumberField("max_p95_ms", r.getMaxP95Ms());
      g.writeNumberField("min_requests", r.getMinRequests());
      optional(g, "max_divergence", r.hasMaxDivergence(), r.getMaxDivergence());
      optional(g, "max_feedback_regression", r.hasMaxFeedbackRegression(),
          r.getMaxFeedbackRegression());
      g.writeNumberField("min_feedback", r.getMinFeedback());
      g.writeEndObject();
      optional(g, "pause_at", r.hasPauseAt(), r.getPauseAt());
      g.writeNumberField("step", r.getStep());
      g.writeStringField("state", r.getState());
      g.writeNumberField("step_started_at", r.getStepStartedAtMs());
      g.writeNumberField("extensions", r.getExtensions());
      g.writeStringField("last_analysis", AdminProtos.orNull(r.getLastAnalysis()));
      g.writeStringField("abort_reason", AdminProtos.orNull(r.getAbortReason()));
      g.writeEndObject();
    }
    g.writeFieldName("traffic");
    AdminJsonFormat.traffic(g, t.getTraffic());
    g.writeEndObject();
  }

  private static void optional(JsonGenerator g, String field, boolean has, double value)
      throws IOException {
    g.writeFieldName(field);
    if (has) {
      g.writeNumber(value);
    } else {
      g.writeNull();
    }
  }
}
