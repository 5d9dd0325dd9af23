package io.mlserve.server.http.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.grpc.ExperimentsJsonFormat;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.experiment.AbReport;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.experiment.FeedbackResult;
import io.mlserve.server.grpc.ExperimentProtos;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.model.ModelRouter;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Outcome feedback and the A/B report over REST: {@code POST /api/v1/feedback} with
 * {@code {"model", "request_id", "label": [...]}} or {@code {"model", "request_id", "reward": x}},
 * and {@code GET /api/v1/models/{model}/ab}. The same operations and JSON as the gRPC
 * {@code mlserve.serving.v1.Experiments} service and {@code mlctl ab report --output json}.
 * Both are in-memory and cheap, so they answer on the event loop. This class is thread-safe.
 */
public final class ExperimentsApi {
  private static final Set<String> FEEDBACK_FIELDS =
      Set.of("model", "request_id", "label", "reward");
  /** Most label values one feedback may carry (a label matches one prediction's outputs). */
  static final int MAX_LABEL_VALUES = 1 << 20;

  private final Experiments experiments;
  private final ModelRouter router;

  public ExperimentsApi(Experiments experiments, ModelRouter router) {
    this.experiments = Objects.requireNonNull(experiments, "experiments");
    this.router = Objects.requireNonNull(router, "router");
  }

  public void register(Routes routes) {
    routes
        .add("POST", "/api/v1/feedback", this::feedback)
        .add("GET", "/api/v1/models/{model}/ab", this::report);
  }

  private CompletableFuture<HttpReply> feedback(HttpCall call) throws IOException {
    JsonNode body = Json.MAPPER.readTree(call.body().get());
    if (body == null || body.isMissingNode() || !body.isObject()) {
      throw HttpStatusException.badRequest("request body must be a JSON object with 'model', "
          + "'request_id' and 'label' or 'reward'");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FEEDBACK_FIELDS.contains(f)) {
        throw HttpStatusException.badRequest("unknown field '" + f
            + "' (accepted: label, model, request_id, reward)");
      }
    }
    String model = text(body, "model");
    String requestId = text(body, "request_id");
    JsonNode labelNode = body.get("label");
    JsonNode rewardNode = body.get("reward");
    double[] label = labelNode == null || labelNode.isNull() ? null : flatten(labelNode);
    Double reward = null;
    if (rewardNode != null && !rewardNode.isNull()) {
      if (!rewardNode.isNumber()) {
        throw HttpStatusException.badRequest("field 'reward' must be a number");
      }
      reward = rewardNode.doubleValue();
    }
    FeedbackResult r = experiments.feedback(model, requestId, label, reward);
    return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g ->
        ExperimentsJsonFormat.feedback(g, ExperimentProtos.feedback(r)))));
  }

  private CompletableFuture<HttpReply> report(HttpCall call) {
    String model = call.param("model");
    if (!router.serves(model)) {
      throw InferenceException.notFound("model '" + model + "' is not served (served: "
          + String.join(", ", router.modelNames()) + ")");
    }
    AbReport r = experiments.report(model);
    return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g ->
        ExperimentsJsonFormat.report(g, ExperimentProtos.report(r)))));
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      throw HttpStatusException.badRequest("field '" + field + "' is missing");
    }
    if (!n.isTextual()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a string");
    }
    return n.asText();
  }

  /** A number or a (nested) array of numbers, flattened in row-major order. */
  private static double[] flatten(JsonNode label) {
    if (label.isNumber()) {
      return new double[] {label.doubleValue()};
    }
    if (!label.isArray()) {
      throw HttpStatusException.badRequest(
          "field 'label' must be a number or an array of numbers (nested arrays allowed)");
    }
    double[] out = new double[16];
    int[] n = {0};
    out = collect(label, out, n);
    return java.util.Arrays.copyOf(out, n[0]);
  }

  private static double[] collect(JsonNode node, double[] out, int[] n) {
    for (JsonNode e : node) {
      if (e.isArray()) {
        out = collect(e, out, n);
      } else if (e.isNumber()) {
        if (n[0] == MAX_LABEL_VALUES) {
          throw HttpStatusException.badRequest(
              "field 'label' has more than " + MAX_LABEL_VALUES + " values");
        }
        if (n[0] == out.length) {
          out = java.util.Arrays.copyOf(out, out.length * 2);
        }
        out[n[0]++] = e.doubleValue();
      } else {
        throw HttpStatusException.badRequest(
            "field 'label' must hold only numbers, got " + e.getNodeType().name().toLowerCase(
                java.util.Locale.ROOT));
      }
    }
    return out;
  }
}
