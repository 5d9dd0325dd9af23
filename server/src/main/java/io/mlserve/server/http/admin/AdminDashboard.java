package io.mlserve.server.http.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.history.LiveRing;
import io.mlserve.server.history.Metric;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.history.SeriesKey;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.usage.UsageCounts;
import io.mlserve.store.Deployment;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The dashboard's aggregate reads (documented in docs/dashboard-ui.md), one call each where the
 * page would otherwise make one per model:
 * <ul>
 *   <li>{@code GET /api/v1/dashboard/overview}: every model with its Production and Staging
 *       versions, live state, traffic split, rollout and shadow, and per version the rate,
 *       p50/p95/p99 and error rate, each the mean of the last {@value #WINDOW_SECONDS}
 *       one-second points of the live ring (null without traffic or without a sampler);
 *   <li>{@code GET /api/v1/dashboard/usage}: requests and errors by model, version and client
 *       since the server started ({@link UsageCounts});
 *   <li>{@code GET /api/v1/models/{model}/versions/{version}/card}: the version's model card
 *       rendered from markdown to HTML with raw HTML escaped ({@link ModelCards}).
 * </ul>
 * Reads of the store run on the admin pool like every admin read. This class is thread-safe.
 */
public final class AdminDashboard {
  static final int WINDOW_SECONDS = 10;
  private static final Metric[] FIGURES = {
      Metric.RATE, Metric.P50_MS, Metric.P95_MS, Metric.P99_MS, Metric.ERROR_RATE};

  private final ModelRegistry registry;
  private final Supplier<Map<String, ModelStatus>> statuses;
  private final AdminCalls calls;
  private final MetricsHistory history; // null: no figures
  private final UsageCounts usage; // null: no usage rows
  private final ModelCards cards = new ModelCards();
  private volatile Routes routes; // what this gateway serves, for the overview's "serves"

  /**
   * @param admin the admin API whose registry, statuses and pool these reads share
   * @param historyOrNull the live ring the figures come from; null: figures are null
   * @param usageOrNull the usage counts; null: the usage answer has no rows
   */
  public AdminDashboard(AdminApi admin, MetricsHistory historyOrNull, UsageCounts usageOrNull) {
    Objects.requireNonNull(admin, "admin");
    this.registry = admin.registry();
    this.statuses = admin.statuses();
    this.calls = admin.calls();
    this.history = historyOrNull;
    this.usage = usageOrNull;
  }

  public void register(Routes routes) {
    this.routes = routes;
    routes.add("GET", "/api/v1/dashboard/overview", c -> calls.read(this::overview))
        .add("GET", "/api/v1/dashboard/usage", c -> calls.read(this::usage))
        .add("GET", "/api/v1/models/{model}/versions/{version}/card", c -> calls.read(
            () -> card(c.param("model"), c.param("version"))));
  }

  private HttpReply overview() {
    ModelStore store = registry.store();
    List<String> names = store.modelNames();
    Map<String, ModelStatus> status = statuses.get();
    Map<SeriesKey, Double> figures = figures();
    return HttpReply.json(200, Json.write(4096, g -> {
      g.writeStartObject();
      g.writeNumberField("window_seconds", WINDOW_SECONDS);
      g.writeBooleanField("live", history != null);
      serves(g);
      g.writeArrayFieldStart("models");
      for (String m : names) {
        if (!store.hasModel(m)) {
          continue; // deleted since listed
        }
        model(g, store, m, status.get(m), figures);
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private void model(JsonGenerator g, ModelStore store, String m, ModelStatus st,
      Map<SeriesKey, Double> figures) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", m);
    g.writeStringField("production", store.stageVersion(m, Stage.PRODUCTION).orElse(null));
    g.writeStringField("staging", store.stageVersion(m, Stage.STAGING).orElse(null));
    g.writeStringField("state", st == null ? null : st.state());
    Deployment d = registry.deployment(m).orElse(null);
    g.writeFieldName("split");
    if (d == null || d.split() == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      for (Map.Entry<String, Double> w : d.split().weights().entrySet()) {
        g.writeNumberField(w.getKey(), w.getValue());
      }
      g.writeEndObject();
    }
    g.writeFieldName("rollout");
    Rollout r = d == null ? null : d.rollout();
    if (r == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      g.writeStringField("candidate", r.candidate());
      g.writeStringField("stable", r.stable());
      g.writeStringField("state", r.state().name());
      g.writeNumberField("step", r.step());
      g.writeNumberField("steps", r.steps().size());
      g.writeNumberField("weight", r.weight());
      g.writeEndObject();
    }
    g.writeFieldName("shadow");
    if (d == null || d.shadow() == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      g.writeStringField("version", d.shadow().version());
      g.writeNumberField("sample", d.shadow().sample());
      g.writeEndObject();
    }
    g.writeArrayFieldStart("versions");
    for (String v : store.versions(m)) {
      g.writeStartObject();
      g.writeStringField("version", v);
      g.writeStringField("stage", registry.stageOf(m, v).displayName());
      for (Metric f : FIGURES) {
        Double x = figures.get(SeriesKey.ofVersion(f, m, v));
        g.writeFieldName(f.wireName());
        if (x == null) {
          g.writeNull();
        } else {
          g.writeNumber(x);
        }
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * {@code "serves": {feature: bool}}: which optional reads this gateway answers, so that a
   * page asks only for those (a 404 would be a console error in the browser).
   */
  private void serves(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("serves");
    String m = "/api/v1/models/m";
    for (String[] f : new String[][] {{"alerts", "/api/v1/alerts"}, {"drift", m + "/drift"},
        {"ab", m + "/ab"}, {"shadow", m + "/shadow"},
        {"evaluations", m + "/versions/1.0.0/evaluations"}, {"metrics", "/api/v1/metrics/live"}}) {
      boolean served;
      try {
        routes.match("GET", f[1]);
        served = true;
      } catch (io.mlserve.server.http.route.HttpStatusException notServed) {
        served = false;
      }
      g.writeBooleanField(f[0], served);
    }
    g.writeEndObject();
  }

  /** The mean of each version figure's points in the last window; absent when none. */
  private Map<SeriesKey, Double> figures() {
    Map<SeriesKey, Double> out = new HashMap<>();
    if (history == null) {
      return out;
    }
    LiveRing.Window w = history.live().read(WINDOW_SECONDS,
        k -> k.metric().scope() == Metric.Scope.VERSION);
    w.values().forEach((k, values) -> {
      double sum = 0;
      int n = 0;
      for (double x : values) {
        if (!Double.isNaN(x)) {
          sum += x;
          n++;
        }
      }
      if (n > 0) {
        out.put(k, sum / n);
      }
    });
    return out;
  }

  private HttpReply usage() {
    List<UsageCounts.Row> rows = usage == null ? List.of() : usage.rows();
    return HttpReply.json(200, Json.write(1024, g -> {
      g.writeStartObject();
      g.writeStringField("client_from", "routing key (x-mlserve-routing-key or routing_key)");
      g.writeNumberField("max_clients_per_version", UsageCounts.MAX_CLIENTS);
      g.writeArrayFieldStart("rows");
      for (UsageCounts.Row r : rows) {
        g.writeStartObject();
        g.writeStringField("model", r.model());
        g.writeStringField("version", r.version());
        g.writeStringField("client", r.client());
        g.writeNumberField("requests", r.requests());
        g.writeNumberField("errors", r.errors());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private HttpReply card(String model, String version) {
    if (!registry.store().hasModel(model)) {
      throw NotFoundException.model(model);
    }
    String markdown = registry.store().manifest(model, version).description();
    return HttpReply.json(200, Json.write(1024, g -> {
      g.writeStartObject();
      g.writeStringField("model", model);
      g.writeStringField("version", version);
      g.writeStringField("markdown", markdown);
      g.writeStringField("html", markdown == null ? null : cards.html(markdown));
      g.writeEndObject();
    }));
  }
}
