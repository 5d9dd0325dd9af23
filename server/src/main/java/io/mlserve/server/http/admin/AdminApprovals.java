package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalJson;
import io.mlserve.approval.Policy;
import io.mlserve.approval.PolicyJson;
import io.mlserve.registry.ApprovalChanges;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Policies and approvals over REST, thin over {@link ApprovalChanges} as the admin gRPC
 * Approvals service is: {@code PUT|GET|DELETE /api/v1/models/{m}/policy} (the body of a PUT is
 * the policy document itself; an optional {@code ?reason=} goes to history) and
 * {@code POST /api/v1/models/{m}/versions/{v}/approve|reject}, {@code GET .../approval}. Setting,
 * clearing, approving and rejecting are mutations under the token rule; reading is open. Errors
 * map through the one table ({@code core/Failure}): a bad policy is 400 naming the field, a
 * decision the state does not allow (and a promotion without approval) 409. Thread-safe.
 */
final class AdminApprovals {
  private static final Set<String> APPROVE = Set.of("comment", "override", "reason");
  private static final Set<String> REJECT = Set.of("comment");

  private final ModelRegistry registry;
  private final AdminCalls calls;

  /** @param registry the registry, or null when the server has none (the calls say so) */
  AdminApprovals(ModelRegistry registry, AdminCalls calls) {
    this.registry = registry;
    this.calls = calls;
  }

  /** Adds the routes under {@code base} ({@code /api/v1/models}). */
  void register(Routes routes, String base) {
    String policy = base + "/{model}/policy";
    String version = base + "/{model}/versions/{version}";
    routes
        .add("GET", policy, c -> calls.read(() -> policy(c.param("model"),
            approvals().policy(c.param("model")))))
        .add("PUT", policy, this::setPolicy)
        .add("DELETE", policy, c -> {
          String actor = calls.authorize(c);
          String model = c.param("model");
          return calls.write(() -> {
            approvals().clearPolicy(model, actor, c.queryParam("reason"));
            return policy(model, Optional.empty());
          });
        })
        .add("GET", version + "/approval", c -> calls.read(() -> approval(approvals().approval(
            c.param("model"), c.param("version")))))
        .add("POST", version + "/approve", this::approve)
        .add("POST", version + "/reject", this::reject);
  }

  private ApprovalChanges approvals() {
    return registry.approvals();
  }

  private CompletableFuture<HttpReply> setPolicy(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    byte[] bytes;
    try (InputStream in = c.body().get()) {
      bytes = in.readNBytes(PolicyJson.MAX_BYTES + 1);
    }
    Policy p = PolicyJson.parse(bytes);
    String model = c.param("model");
    return calls.write(() -> policy(model, Optional.of(approvals().setPolicy(model, p, actor,
        c.queryParam("reason")))));
  }

  /** Body: {@code comment}, {@code override} (boolean), {@code reason}; all optional. */
  private CompletableFuture<HttpReply> approve(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    JsonNode body = AdminCalls.body(c, APPROVE);
    JsonNode o = body.get("override");
    if (o != null && !o.isNull() && !o.isBoolean()) {
      throw io.mlserve.server.http.route.HttpStatusException.badRequest(
          "field 'override' must be true or false");
    }
    boolean override = o != null && o.asBoolean();
    String comment = AdminCalls.text(body, "comment");
    String reason = AdminCalls.text(body, "reason");
    String model = c.param("model");
    String version = c.param("version");
    return calls.write(() -> approval(approvals().approve(model, version, actor, comment,
        override, reason)));
  }

  /** Body: {@code comment}, optional. */
  private CompletableFuture<HttpReply> reject(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    String comment = AdminCalls.text(AdminCalls.body(c, REJECT), "comment");
    String model = c.param("model");
    String version = c.param("version");
    return calls.write(() -> approval(approvals().reject(model, version, actor, comment)));
  }

  /** {@code {"model": m, "policy": {...} | null}}. */
  private static HttpReply policy(String model, Optional<Policy> p) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("model", model);
    o.set("policy", p.<JsonNode>map(PolicyJson::toJson).orElse(o.nullNode()));
    return json(o);
  }

  /** The approval record as the store holds it. */
  private static HttpReply approval(Approval a) {
    return json(ApprovalJson.toJson(a));
  }

  private static HttpReply json(JsonNode n) {
    return HttpReply.json(200, n.toString().getBytes(StandardCharsets.UTF_8));
  }
}
