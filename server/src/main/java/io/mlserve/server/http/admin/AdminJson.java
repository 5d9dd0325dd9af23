package io.mlserve.server.http.admin;

import io.mlserve.errors.ClientText;
import io.mlserve.proto.admin.v1.CleanupResponse;
import io.mlserve.proto.admin.v1.ListModelsResponse;
import io.mlserve.proto.admin.v1.ModelInfo;
import io.mlserve.registry.CleanupResult;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.Transition;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.registry.grpc.AdminProtos;
import io.mlserve.registry.grpc.ShadowProtos;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.json.Json;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.store.Event;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import java.util.List;

/**
 * The JSON answers of {@link AdminApi}: the registry's objects converted to the admin protos
 * ({@link AdminProtos}) and written by {@link AdminJsonFormat}, so that REST and
 * {@code mlctl --output json} answer the same thing with the same keys (snake_case names as in
 * the store's files, stage display names such as {@code "Production"}, null for an absent
 * value). These run on the admin pool: they read the store. Stateless; thread-safe.
 */
final class AdminJson {
  private AdminJson() {}

  /** {@code {"models": [summary + version names...]}}. */
  static HttpReply models(ModelStore store, List<String> names) {
    ListModelsResponse r = ListModelsResponse.newBuilder().addAllModels(names.stream()
        .map(n -> AdminProtos.summary(store, n)).toList()).build();
    return ok(g -> AdminJsonFormat.models(g, r));
  }

  /** A model's summary, its versions with stage and manifest, and the live status. */
  static HttpReply model(ModelRegistry registry, String model, ModelStatus status) {
    ModelInfo info = ModelInfo.newBuilder().setSummary(AdminProtos.summary(registry.store(),
        model)).addAllVersions(AdminProtos.versions(registry, model)).build();
    return ok(g -> AdminJsonFormat.model(g, info, status == null ? null : s -> {
      s.writeStartObject();
      s.writeStringField("state", status.state());
      s.writeStringField("reason", ClientText.scrub(status.reason(), null)); // no paths
      s.writeStringField("production", status.production());
      s.writeStringField("staging", status.staging());
      s.writeNumberField("since", status.sinceMillis());
      s.writeEndObject();
    }));
  }

  /** {@code {"model": m, "versions": [version...]}}. */
  static HttpReply versions(ModelRegistry registry, String model) {
    return ok(g -> AdminJsonFormat.versions(g, model, AdminProtos.versions(registry, model)));
  }

  /** One version: its stage, summary fields and full manifest. */
  static HttpReply manifest(ModelRegistry registry, String model, String version) {
    return manifest(registry, model, version, 200);
  }

  /** As {@link #manifest(ModelRegistry, String, String)}, answered with {@code status}. */
  static HttpReply manifest(ModelRegistry registry, String model, String version, int status) {
    Manifest m = registry.store().manifest(model, version);
    var v = AdminProtos.version(m, registry.stageOf(model, version), null);
    return HttpReply.json(status, Json.write(1024, g -> AdminJsonFormat.version(g, v)));
  }

  /** {@code {"model": m, "history": [entry...]}}, oldest first. */
  static HttpReply history(String model, List<HistoryEntry> entries) {
    return ok(g -> AdminJsonFormat.history(g, model, entries.stream()
        .map(AdminProtos::history).toList()));
  }

  static HttpReply transition(Transition t) {
    return ok(g -> AdminJsonFormat.transition(g, AdminProtos.transition(t)));
  }

  /** A model's traffic split as {@code mlctl traffic show --output json} prints it. */
  static HttpReply traffic(String model, io.mlserve.store.Deployment deploymentOrNull) {
    return ok(g -> AdminJsonFormat.traffic(g, AdminProtos.traffic(model, deploymentOrNull)));
  }

  /** A model's shadow as {@code mlctl shadow status --output json} prints it. */
  static HttpReply shadow(ModelRegistry registry, io.mlserve.store.Deployment d) {
    return ok(g -> ShadowProtos.json(g, ShadowProtos.response(registry, d.model(), d)));
  }

  static HttpReply cleanup(CleanupResult r) {
    CleanupResponse c = CleanupResponse.newBuilder().addAllRemoved(r.removed())
        .setBytes(r.bytes()).setDryRun(r.dryRun()).build();
    return ok(g -> AdminJsonFormat.cleanup(g, c));
  }

  /** A JSON array of at most {@code limit} events, each as its line in the event log. */
  static HttpReply events(List<Event> events, int limit) {
    return ok(g -> {
      g.writeStartArray();
      for (Event e : events.subList(0, Math.min(limit, events.size()))) {
        g.writeRawValue(e.toJson());
      }
      g.writeEndArray();
    });
  }

  private static HttpReply ok(Json.Body body) {
    return HttpReply.json(200, Json.write(1024, body));
  }
}
