package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.drift.OutputPredictor;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.AdminAccess;
import io.mlserve.registry.CleanupResult;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.reload.ChangeApplier;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.store.Event;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Shadow;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The registry admin routes under {@code /api/v1/models} and {@code /api/v1/events}: a thin
 * REST face of {@link ModelRegistry}, the same operations as the admin gRPC service, under the
 * same {@link AdminAccess} rule (mutations need the bearer token when one is configured; the
 * caller recorded in history is {@code X-Mlserve-Actor} or "anonymous"). Registration is
 * {@link AdminRegistration}; experiment runs are {@link AdminRuns}.
 *
 * <p>Registry calls read and write files, so they never run on an event loop: the request is
 * checked and its body parsed there, then the call is handed to a small bounded pool
 * ({@link AdminCalls}); a full pool answers 503 with Retry-After. Without a registry every
 * admin route answers 404 saying so. This class is thread-safe.
 */
public final class AdminApi implements AutoCloseable {
  static final int THREADS = AdminCalls.THREADS;
  static final int QUEUE = AdminCalls.QUEUE;
  /** On {@code GET /api/v1/events}: "true" when events after the answer's last one exist. */
  static final String MORE_HEADER = "X-Mlserve-More";

  private final AppliedWrites applied;
  private final ModelRegistry registry; // null: admin routes disabled
  private final ModelStore store;
  private final Supplier<Map<String, ModelStatus>> statuses;
  private final AdminCalls calls;
  private final AdminRuns runs;
  private final AdminRegistration registration;
  private final AdminRollouts rollouts;
  private final AdminDatasets datasets;
  private final AdminApprovals approvals;

  /**
   * @param registry null when this gateway has no registry (the routes answer 404)
   * @param statuses the reload coordinator's per-model status
   * @param tokenOrNull the admin token; null or blank: mutations are open
   */
  public AdminApi(ModelRegistry registry, Supplier<Map<String, ModelStatus>> statuses,
      String tokenOrNull) {
    this(registry, statuses, tokenOrNull, ChangeApplier.NONE);
  }

  /**
   * @param applied applies a model's change to this server before a mutation through these
   *     routes is answered (read-your-writes)
   */
  public AdminApi(ModelRegistry registry, Supplier<Map<String, ModelStatus>> statuses,
      String tokenOrNull, ChangeApplier applied) {
    this.applied = new AppliedWrites(applied);
    this.registry = registry;
    this.store = registry == null ? null : registry.store();
    this.statuses = Objects.requireNonNull(statuses, "statuses");
    this.calls = new AdminCalls(registry != null, tokenOrNull);
    RunStore runStore = registry == null ? null
        : new RunStore(store, registry.events(), Clock.systemUTC());
    this.runs = new AdminRuns(runStore, calls);
    DatasetStore datasetStore = registry == null ? null
        : new DatasetStore(registry, Clock.systemUTC(), DatasetLimits.defaults());
    // A registration's reference profile: outputs through the engine where it is on the
    // classpath (the server's), as the admin gRPC services do.
    this.registration = new AdminRegistration(registry, runStore, registry == null ? null
        : new ReferenceComputer(store, datasetStore, runStore,
            OutputPredictor.fromClasspath().orElse(null), Clock.systemUTC(),
            ReferenceComputer.DEFAULT_MAX_ROWS), calls);
    this.rollouts = new AdminRollouts(registry, calls);
    this.datasets = new AdminDatasets(datasetStore, calls);
    this.approvals = new AdminApprovals(registry, calls);
  }

  public void register(Routes routes) {
    String m = "/api/v1/models";
    routes
        .add("GET", m, c -> read(() -> AdminJson.models(store, store.modelNames())))
        .add("POST", m + "/cleanup", this::cleanup)
        .add("GET", m + "/{model}", c -> read(() -> show(c.param("model"))))
        .add("GET", m + "/{model}/versions", c -> read(() -> AdminJson.versions(registry,
            c.param("model"))))
        .addBinary("POST", m + "/{model}/versions", registration::register)
        .add("GET", m + "/{model}/versions/{version}", c -> read(() -> AdminJson.manifest(
            registry, c.param("model"), c.param("version"))))
        .add("GET", m + "/{model}/versions/{version}/reference", c -> read(() -> reference(
            c.param("model"), c.param("version"))))
        .add("GET", m + "/{model}/history", c -> read(() -> AdminJson.history(
            c.param("model"), registry.history(c.param("model")))))
        .add("POST", m + "/{model}/versions/{version}/promote", this::promote)
        .add("POST", m + "/{model}/versions/{version}/deprecate", c -> move(c, Move.DEPRECATE))
        .add("POST", m + "/{model}/versions/{version}/archive", c -> move(c, Move.ARCHIVE))
        .add("POST", m + "/{model}/versions/{version}/restore", c -> move(c, Move.RESTORE))
        .add("POST", m + "/{model}/rollback", this::rollback)
        .add("GET", m + "/{model}/traffic", c -> read(() -> AdminJson.traffic(c.param("model"),
            registry.deployment(c.param("model")).orElse(null))))
        .add("PUT", m + "/{model}/traffic", this::setTraffic)
        .add("DELETE", m + "/{model}/traffic", this::clearTraffic)
        .add("PUT", m + "/{model}/shadow", this::startShadow)
        .add("DELETE", m + "/{model}/shadow", this::stopShadow)
        .add("GET", "/api/v1/events", this::events);
    runs.register(routes, m + "/{model}/runs");
    rollouts.register(routes, m + "/{model}/rollout");
    datasets.register(routes, m + "/{model}/datasets");
    approvals.register(routes, m);
    applied.decorate(routes);
  }

  ModelRegistry registry() {
    return registry;
  }

  Supplier<Map<String, ModelStatus>> statuses() {
    return statuses;
  }

  AdminCalls calls() {
    return calls;
  }

  private HttpReply show(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return AdminJson.model(registry, model, statuses.get().get(model));
  }

  /** The version's drift reference profile, {@code reference.json} as stored. */
  private HttpReply reference(String model, String version) {
    return HttpReply.json(200, ReferenceJson.bytes(ReferenceJson.read(
        store.versionDir(model, version)).orElseThrow(() -> ReferenceJson.missing(model,
            version))));
  }

  private CompletableFuture<HttpReply> events(HttpCall c) {
    long since = AdminCalls.longParam(c, "since", 0);
    int limit = (int) Math.min(AdminCalls.longParam(c, "limit", 1000), 10_000);
    if (limit <= 0) {
      throw HttpStatusException.badRequest("'limit' must be positive");
    }
    return read(() -> {
      List<Event> after = registry.events().readSince(Math.max(0, since));
      // The REST form of WatchEvents' caught-up marker: false once the answer reaches the end
      // of the log as it was read, true when the limit cut it (ask again after the last seq).
      return AdminJson.events(after, limit).withHeader(MORE_HEADER,
          String.valueOf(after.size() > limit));
    });
  }

  private CompletableFuture<HttpReply> promote(HttpCall c) throws Exception {
    String actor = authorize(c);
    JsonNode body = body(c, Set.of("stage", "reason"));
    JsonNode stage = body.get("stage");
    if (stage == null || !stage.isTextual()) {
      throw HttpStatusException.badRequest(
          "field 'stage' is required: \"Staging\" or \"Production\"");
    }
    Stage target = Stage.parse(stage.asText());
    String reason = reason(body);
    return write(() -> AdminJson.transition(registry.promote(c.param("model"),
        c.param("version"), target, actor, reason)));
  }

  private enum Move { DEPRECATE, ARCHIVE, RESTORE }

  private CompletableFuture<HttpReply> move(HttpCall c, Move move) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    String model = c.param("model");
    String version = c.param("version");
    return write(() -> AdminJson.transition(switch (move) {
      case DEPRECATE -> registry.deprecate(model, version, actor, reason);
      case ARCHIVE -> registry.archive(model, version, actor, reason);
      case RESTORE -> registry.restore(model, version, actor, reason);
    }));
  }

  private CompletableFuture<HttpReply> rollback(HttpCall c) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    return write(() -> AdminJson.transition(registry.rollback(c.param("model"), actor, reason)));
  }

  /**
   * {@code PUT .../traffic}: {@code {"split": "1.2.0=90,1.3.0=10"}} or
   * {@code {"weights": {"1.2.0": 90, "1.3.0": 10}}}, and an optional {@code "reason"}.
   */
  private CompletableFuture<HttpReply> setTraffic(HttpCall c) throws Exception {
    String actor = authorize(c);
    JsonNode body = body(c, Set.of("split", "weights", "reason"));
    JsonNode split = body.get("split");
    JsonNode weights = body.get("weights");
    if ((split == null) == (weights == null)) {
      throw HttpStatusException.badRequest("give 'split' (e.g. \"1.2.0=90,1.3.0=10\") or "
          + "'weights' (e.g. {\"1.2.0\": 90, \"1.3.0\": 10}), one of them");
    }
    Map<String, Double> w;
    if (split != null) {
      if (!split.isTextual()) {
        throw HttpStatusException.badRequest("field 'split' must be a string like "
            + "\"1.2.0=90,1.3.0=10\"");
      }
      w = TrafficSplit.parseWeights(split.asText());
    } else {
      if (!weights.isObject()) {
        throw HttpStatusException.badRequest("field 'weights' must be an object of version to "
            + "percent");
      }
      w = new java.util.LinkedHashMap<>();
      for (var e : (Iterable<Map.Entry<String, JsonNode>>) weights::fields) {
        if (!e.getValue().isNumber()) {
          throw HttpStatusException.badRequest("weight of '" + e.getKey() + "' must be a number");
        }
        w.put(e.getKey(), e.getValue().doubleValue());
      }
    }
    String reason = reason(body);
    Map<String, Double> weightsToSet = w;
    String model = c.param("model");
    return write(() -> AdminJson.traffic(model,
        registry.setTraffic(model, weightsToSet, actor, reason)));
  }

  /**
   * {@code PUT .../shadow}: {@code {"version": "1.3.0", "sample": 0.25, "atol": 1e-4,
   * "rtol": 1e-3, "reason": ...}} (sample, tolerances and reason optional).
   */
  private CompletableFuture<HttpReply> startShadow(HttpCall c) throws Exception {
    String actor = authorize(c);
    JsonNode body = body(c, Set.of("version", "sample", "atol", "rtol", "reason"));
    JsonNode version = body.get("version");
    if (version == null || !version.isTextual()) {
      throw HttpStatusException.badRequest("field 'version' is required: the shadow version");
    }
    double sample = number(body, "sample", Shadow.DEFAULT_SAMPLE);
    double atol = number(body, "atol", Shadow.DEFAULT_ATOL);
    double rtol = number(body, "rtol", Shadow.DEFAULT_RTOL);
    String reason = reason(body);
    String model = c.param("model");
    return write(() -> AdminJson.shadow(registry, registry.startShadow(model, version.asText(),
        sample, atol, rtol, actor, reason)));
  }

  private CompletableFuture<HttpReply> stopShadow(HttpCall c) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    String model = c.param("model");
    return write(() -> AdminJson.shadow(registry, registry.stopShadow(model, actor, reason)));
  }

  private static double number(JsonNode body, String field, double dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a number");
    }
    return n.doubleValue();
  }

  private CompletableFuture<HttpReply> clearTraffic(HttpCall c) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    String model = c.param("model");
    return write(() -> AdminJson.traffic(model, registry.clearTraffic(model, actor, reason)));
  }

  private CompletableFuture<HttpReply> cleanup(HttpCall c) throws Exception {
    String actor = authorize(c);
    body(c, Set.of());
    boolean dryRun = AdminCalls.booleanParam(c, "dry_run");
    String model = c.queryParam("model");
    return write(() -> {
      CleanupResult r = registry.cleanup(model, dryRun, actor);
      return AdminJson.cleanup(r);
    });
  }

  private String authorize(HttpCall c) {
    return calls.authorize(c);
  }

  private CompletableFuture<HttpReply> read(Callable<HttpReply> work) {
    return calls.read(work);
  }

  private CompletableFuture<HttpReply> write(Callable<HttpReply> work) {
    return calls.write(work);
  }

  private static JsonNode body(HttpCall c, Set<String> allowed) throws Exception {
    return AdminCalls.body(c, allowed);
  }

  private static String reason(JsonNode body) {
    return AdminCalls.text(body, "reason");
  }

  /** Stops the admin pool after the calls already handed to it. */
  @Override
  public void close() {
    calls.close();
  }
}
