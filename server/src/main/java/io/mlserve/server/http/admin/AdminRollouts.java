package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RolloutPlan;
import io.mlserve.registry.grpc.RolloutProtos;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.store.Deployment;
import io.mlserve.store.Rollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Canary rollouts under {@code /api/v1/models/{model}/rollout}, thin over the registry as the
 * admin gRPC rollout calls are: {@code GET} the rollout, {@code POST} to start one, and
 * {@code POST .../pause|resume|abort|promote}. Every answer is the JSON of
 * {@code mlctl rollout status --output json}. Starting and steering are mutations under the
 * token rule; reading is open. Thread-safe.
 */
final class AdminRollouts {
  private static final Set<String> START = Set.of("version", "steps", "bake_ms",
      "max_error_rate", "max_p95_ms", "min_requests", "max_divergence",
      "max_feedback_regression", "min_feedback", "pause_at", "reason");
  private static final Set<String> STEER = Set.of("reason");

  private final ModelRegistry registry;
  private final AdminCalls calls;

  /** @param registry the registry, or null when the server has none (the calls say so) */
  AdminRollouts(ModelRegistry registry, AdminCalls calls) {
    this.registry = registry;
    this.calls = calls;
  }

  /** Adds the routes under {@code base} ({@code .../{model}/rollout}). */
  void register(Routes routes, String base) {
    routes
        .add("GET", base, c -> calls.read(() -> json(c.param("model"),
            registry.deployment(c.param("model")).orElse(null))))
        .add("POST", base, this::start)
        .add("POST", base + "/pause", c -> steer(c, (m, a, r) -> registry.pauseRollout(m, a, r)))
        .add("POST", base + "/resume", c -> steer(c,
            (m, a, r) -> registry.resumeRollout(m, a, r)))
        .add("POST", base + "/abort", c -> steer(c, (m, a, r) -> registry.abortRollout(m, r, a)))
        .add("POST", base + "/promote", c -> steer(c,
            (m, a, r) -> registry.finishRollout(m, a, r)));
  }

  /**
   * Body: {@code version} (required), {@code steps} (an array of percentages), {@code bake_ms},
   * {@code max_error_rate}, {@code max_p95_ms}, {@code min_requests}, {@code max_divergence},
   * {@code max_feedback_regression}, {@code min_feedback}, {@code pause_at}, {@code reason};
   * what is absent takes the defaults of
   * {@code mlctl rollout start}.
   */
  private CompletableFuture<HttpReply> start(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    JsonNode body = AdminCalls.body(c, START);
    String version = AdminCalls.text(body, "version");
    if (version == null) {
      throw HttpStatusException.badRequest("field 'version' is required: the candidate");
    }
    List<Double> steps = null;
    JsonNode s = body.get("steps");
    if (s != null && !s.isNull()) {
      if (!s.isArray()) {
        throw HttpStatusException.badRequest("field 'steps' must be an array of percentages,"
            + " e.g. [5, 25, 50, 100]");
      }
      steps = new ArrayList<>();
      for (JsonNode w : s) {
        steps.add(number(w, "steps"));
      }
    }
    Double bake = optional(body, "bake_ms");
    Rollout.Thresholds d = Rollout.Thresholds.DEFAULTS;
    Double maxError = optional(body, "max_error_rate");
    Double maxP95 = optional(body, "max_p95_ms");
    Long minRequests = whole(body, "min_requests");
    Long minFeedback = whole(body, "min_feedback");
    Rollout.Thresholds t = new Rollout.Thresholds(
        maxError == null ? d.maxErrorRate() : maxError,
        maxP95 == null ? d.maxP95Ms() : maxP95,
        minRequests == null ? d.minRequests() : minRequests,
        body.has("max_divergence") ? optional(body, "max_divergence") : d.maxDivergence())
        .withFeedback(optional(body, "max_feedback_regression"), minFeedback);
    RolloutPlan plan = new RolloutPlan(version, steps,
        bake == null ? null : Duration.ofMillis(bake.longValue()), t,
        optional(body, "pause_at"));
    String reason = AdminCalls.text(body, "reason");
    String model = c.param("model");
    return calls.write(() -> json(model, registry.startRollout(model, plan, actor, reason)));
  }

  @FunctionalInterface
  private interface Steer {
    Deployment apply(String model, String actor, String reason);
  }

  private CompletableFuture<HttpReply> steer(HttpCall c, Steer steer) throws Exception {
    String actor = calls.authorize(c);
    String reason = AdminCalls.text(AdminCalls.body(c, STEER), "reason");
    String model = c.param("model");
    return calls.write(() -> json(model, steer.apply(model, actor, reason)));
  }

  private static Double optional(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull() ? null : number(n, field);
  }

  private static Long whole(JsonNode body, String field) {
    Double v = optional(body, field);
    if (v != null && v != Math.rint(v)) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a whole number");
    }
    return v == null ? null : v.longValue();
  }

  private static double number(JsonNode n, String field) {
    if (!n.isNumber()) {
      throw HttpStatusException.badRequest("field '" + field + "' must hold numbers");
    }
    return n.doubleValue();
  }

  private static HttpReply json(String model, Deployment deploymentOrNull) {
    return HttpReply.json(200, Json.write(1024, g -> RolloutProtos.json(g,
        RolloutProtos.response(model, deploymentOrNull))));
  }
}
