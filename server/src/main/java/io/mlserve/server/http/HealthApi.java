package io.mlserve.server.http;

import io.mlserve.errors.ClientText;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.reload.ModelStatus;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Operator endpoints: {@code /healthz} (live), {@code /readyz} (ready, with each served model's
 * status, each version's engine state ({@code loaded}, {@code unloaded} after an idle timeout,
 * {@code loading} again, {@code failed}) and, where the reload coordinator knows the model, its
 * reload state and reason) and {@code /metrics} (Prometheus text from the supplier the server
 * wires in).
 *
 * <p>This class is thread-safe.
 */
final class HealthApi {
  private final ServerState state;
  private final ModelRouter router;
  private final Supplier<String> metrics;
  private final Supplier<Map<String, ModelStatus>> statuses;

  HealthApi(ServerState state, ModelRouter router, Supplier<String> metrics,
      Supplier<Map<String, ModelStatus>> statuses) {
    this.state = Objects.requireNonNull(state, "state");
    this.router = Objects.requireNonNull(router, "router");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.statuses = Objects.requireNonNull(statuses, "statuses");
  }

  void register(Routes routes) {
    routes
        .add("GET", "/healthz", c -> CompletableFuture.completedFuture(healthz()))
        .add("GET", "/readyz", c -> CompletableFuture.completedFuture(readyz()))
        .add("GET", "/metrics", c -> CompletableFuture.completedFuture(
            HttpReply.text(200, HttpReply.PROMETHEUS, metrics.get())));
  }

  private HttpReply healthz() {
    boolean live = state.live();
    return HttpReply.json(live ? 200 : 503, Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("status", live ? "live" : "shutting down");
      g.writeEndObject();
    }));
  }

  private HttpReply readyz() {
    boolean ready = state.ready();
    Map<String, ModelStatus> reload = statuses.get();
    SortedSet<String> names = new TreeSet<>(router.modelNames());
    names.addAll(reload.keySet()); // a model that failed to load is not in the router
    return HttpReply.json(ready ? 200 : 503, Json.write(g -> {
      g.writeStartObject();
      g.writeBooleanField("ready", ready);
      if (!ready) {
        g.writeStringField("reason", !state.live() ? "shutting down"
            : "not every Production model is loaded and warmed yet");
      }
      g.writeArrayFieldStart("models");
      for (String name : names) {
        g.writeStartObject();
        g.writeStringField("name", name);
        ServedModel m = defaultVersion(name);
        if (m == null) {
          g.writeNullField("version");
          g.writeStringField("status", "no Production version loaded");
        } else {
          g.writeStringField("version", m.version());
          g.writeStringField("status", "ready");
          g.writeStringField("device", m.device());
          g.writeNumberField("max_batch_size", m.maxBatchSize());
          if (m.fixedBatch()) {
            g.writeStringField("batching", "off: the model fixes its batch dimension");
          }
        }
        g.writeArrayFieldStart("loaded_versions");
        for (String v : router.versions(name)) {
          g.writeString(v);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("instances");
        for (String v : router.versions(name)) {
          ServedModel loaded = router.loaded(name, v);
          if (loaded != null) {
            g.writeStartObject();
            g.writeStringField("version", v);
            g.writeStringField("state", loaded.loadState());
            g.writeNumberField("instances", loaded.instances());
            g.writeNumberField("min", loaded.scaling().min());
            g.writeNumberField("max", loaded.scaling().max());
            g.writeNumberField("idle_unload_seconds", loaded.idleUnloadSeconds());
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        ServedModel shadow = router.shadow(name);
        if (shadow != null) {
          g.writeObjectFieldStart("shadow");
          g.writeStringField("version", shadow.version());
          g.writeStringField("state", shadow.loadState());
          g.writeNumberField("idle_unload_seconds", shadow.idleUnloadSeconds());
          g.writeEndObject();
        }
        ModelStatus s = reload.get(name);
        if (s != null) {
          g.writeObjectFieldStart("reload");
          g.writeStringField("state", s.state());
          g.writeStringField("reason", ClientText.scrub(s.reason(), null)); // no paths
          g.writeStringField("staging", s.staging());
          g.writeNumberField("since", s.sinceMillis());
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private ServedModel defaultVersion(String name) {
    return router.defaultVersion(name);
  }
}
