package io.mlserve.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.errors.ClientText;
import io.mlserve.registry.CleanupResult;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.Transition;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.store.Event;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.IOException;
import java.util.List;

/**
 * The JSON answers of {@link AdminApi}. Field names follow the store's files (snake_case, stage
 * display names such as {@code "Production"}); an absent version is {@code null}. These run on
 * the admin pool: they read the store. Stateless; thread-safe.
 */
final class AdminJson {
  private AdminJson() {}

  /** {@code {"models": [summary...]}}. */
  static HttpReply models(ModelStore store, List<String> names) {
    return ok(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("models");
      for (String name : names) {
        g.writeStartObject();
        List<String> versions = store.versions(name);
        summary(g, store, name, versions);
        g.writeArrayFieldStart("versions");
        for (String v : versions) {
          g.writeString(v);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** A model's summary, its versions with stage and manifest summary, and the live status. */
  static HttpReply model(ModelRegistry registry, String model, ModelStatus status) {
    ModelStore store = registry.store();
    List<String> versions = store.versions(model);
    return ok(g -> {
      g.writeStartObject();
      summary(g, store, model, versions);
      g.writeArrayFieldStart("versions");
      for (String v : versions) {
        version(g, registry, model, v);
      }
      g.writeEndArray();
      g.writeFieldName("serving");
      if (status == null) {
        g.writeNull();
      } else {
        g.writeStartObject();
        g.writeStringField("state", status.state());
        g.writeStringField("reason", ClientText.scrub(status.reason(), null)); // no paths
        g.writeStringField("production", status.production());
        g.writeStringField("staging", status.staging());
        g.writeNumberField("since", status.sinceMillis());
        g.writeEndObject();
      }
      g.writeEndObject();
    });
  }

  /** {@code {"model": m, "versions": [version...]}}. */
  static HttpReply versions(ModelRegistry registry, String model) {
    List<String> versions = registry.store().versions(model);
    return ok(g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeArrayFieldStart("versions");
      for (String v : versions) {
        version(g, registry, model, v);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** One version's stage and its full manifest. */
  static HttpReply manifest(ModelRegistry registry, String model, String version) {
    return manifest(registry, model, version, 200);
  }

  /** As {@link #manifest(ModelRegistry, String, String)}, answered with {@code status}. */
  static HttpReply manifest(ModelRegistry registry, String model, String version, int status) {
    Manifest m = registry.store().manifest(model, version);
    Stage stage = registry.stageOf(model, version);
    return HttpReply.json(status, Json.write(1024, g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeStringField("version", version);
      g.writeStringField("stage", stage.displayName());
      g.writeFieldName("manifest");
      g.writeTree(Json.MAPPER.readTree(ManifestCodec.toJson(m)));
      g.writeEndObject();
    }));
  }

  /** {@code {"model": m, "history": [entry...]}}, oldest first. */
  static HttpReply history(String model, List<HistoryEntry> entries) {
    return ok(g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeArrayFieldStart("history");
      for (HistoryEntry e : entries) {
        g.writeStartObject();
        g.writeNumberField("timestamp", e.timestamp());
        g.writeStringField("version", e.version());
        g.writeStringField("from_stage", e.fromStage());
        g.writeStringField("to_stage", e.toStage());
        g.writeStringField("actor", e.actor());
        g.writeStringField("reason", e.reason());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  static HttpReply transition(Transition t) {
    return ok(g -> {
      g.writeStartObject();
      g.writeStringField("model", t.model());
      g.writeStringField("version", t.version());
      g.writeStringField("from_stage", t.from().displayName());
      g.writeStringField("to_stage", t.to().displayName());
      g.writeStringField("previous_version", t.previousVersion());
      g.writeEndObject();
    });
  }

  static HttpReply cleanup(CleanupResult r) {
    return ok(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("removed");
      for (String s : r.removed()) {
        g.writeString(s);
      }
      g.writeEndArray();
      g.writeNumberField("bytes", r.bytes());
      g.writeBooleanField("dry_run", r.dryRun());
      g.writeEndObject();
    });
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

  private static void summary(JsonGenerator g, ModelStore store, String model,
      List<String> versions) throws IOException {
    g.writeStringField("name", model);
    g.writeStringField("production", store.stageVersion(model, Stage.PRODUCTION).orElse(null));
    g.writeStringField("staging", store.stageVersion(model, Stage.STAGING).orElse(null));
    g.writeStringField("latest", versions.isEmpty() ? null : versions.get(versions.size() - 1));
  }

  private static void version(JsonGenerator g, ModelRegistry registry, String model,
      String version) throws IOException {
    Manifest m = registry.store().manifest(model, version);
    g.writeStartObject();
    g.writeStringField("version", version);
    g.writeStringField("stage", registry.stageOf(model, version).displayName());
    g.writeStringField("format", m.format());
    g.writeStringField("sha256", m.sha256());
    g.writeStringField("run_id", m.runId());
    g.writeStringField("description", m.description());
    g.writeStringField("created_at", m.createdAt() == null ? null : m.createdAt().toString());
    g.writeEndObject();
  }

  private static HttpReply ok(Json.Body body) {
    return HttpReply.json(200, Json.write(1024, body));
  }
}
