package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.evaluation.EvaluationJson;
import io.mlserve.evaluation.EvaluationListing;
import io.mlserve.evaluation.EvaluationStore;
import io.mlserve.evaluation.ProgressListener;
import io.mlserve.evaluation.TaskKind;
import io.mlserve.server.evaluation.Baseline;
import io.mlserve.server.evaluation.EvaluationOptions;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The evaluation routes under {@code /api/v1/models/{m}/versions/{v}/evaluations}:
 * {@code POST} runs an evaluation (token-protected, body {@code {"dataset": ..., "baseline":
 * "production"|"none"|VERSION, "batch_size": N, "kind": "regression"|"classification",
 * "output": NAME}}, all but {@code dataset} optional) and answers the stored evaluation's JSON;
 * {@code GET} lists them newest first ({@code ?limit=}, default 20, without sample points);
 * {@code GET .../{id}} answers one as stored, {@code GET .../{id}/report} its HTML report.
 *
 * <p>The evaluation runs on the {@link EvaluationRunner}'s threads, never on an event loop: one
 * at a time, a few queued, a further one answered 503 with Retry-After naming the running one.
 * A client that goes away cancels its evaluation. Reads run on the admin pool. Errors go through
 * the gateway's one mapping (unknown model, version or dataset 404 naming what exists, bad
 * options 400). This class is thread-safe.
 */
public final class AdminEvaluations implements AutoCloseable {
  private static final Set<String> FIELDS =
      Set.of("dataset", "baseline", "batch_size", "kind", "output");

  private final EvaluationRunner runner;
  private final AdminCalls calls;

  /** @param tokenOrNull the admin token POST needs; null or blank: none */
  public AdminEvaluations(EvaluationRunner runner, String tokenOrNull) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.calls = new AdminCalls(true, tokenOrNull);
  }

  public void register(Routes routes) {
    String p = "/api/v1/models/{model}/versions/{version}/evaluations";
    routes.add("POST", p, this::evaluate)
        .add("GET", p, this::list)
        .add("GET", p + "/{id}", c -> calls.read(() -> HttpReply.json(200,
            EvaluationJson.encode(results().read(c.param("model"), c.param("version"),
                c.param("id"))))))
        .add("GET", p + "/{id}/report", c -> calls.read(() -> HttpReply.text(200,
            "text/html; charset=utf-8", results().report(c.param("model"), c.param("version"),
                c.param("id")))));
  }

  private EvaluationStore results() {
    return runner.results();
  }

  private CompletableFuture<HttpReply> evaluate(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    JsonNode body = AdminCalls.body(c, FIELDS);
    String dataset = AdminCalls.text(body, "dataset");
    if (dataset == null || dataset.isBlank()) {
      throw HttpStatusException.badRequest("field 'dataset' is required: the name of one of"
          + " the model's datasets");
    }
    JsonNode size = body.get("batch_size");
    int batchSize = EvaluationOptions.DEFAULT_BATCH_SIZE;
    if (size != null && !size.isNull()) {
      if (!size.isIntegralNumber() || !size.canConvertToInt()) {
        throw HttpStatusException.badRequest("field 'batch_size' must be an integer");
      }
      batchSize = size.intValue();
    }
    String kind = AdminCalls.text(body, "kind");
    EvaluationOptions options = new EvaluationOptions(batchSize,
        kind == null ? null : TaskKind.parse(kind), AdminCalls.text(body, "output"), List.of(),
        null);
    Baseline baseline = Baseline.parse(AdminCalls.text(body, "baseline"));
    CompletableFuture<HttpReply> reply = new CompletableFuture<>();
    runner.submit(c.param("model"), c.param("version"), dataset, baseline, options, actor,
        ProgressListener.NONE, reply::isDone).whenComplete((e, failure) -> {
          if (failure != null) {
            reply.completeExceptionally(failure);
          } else {
            reply.complete(HttpReply.json(200, EvaluationJson.encode(e)));
          }
        });
    return reply;
  }

  private CompletableFuture<HttpReply> list(HttpCall c) {
    long limit = AdminCalls.longParam(c, "limit", EvaluationListing.DEFAULT_LIMIT);
    if (limit < 1 || limit > EvaluationStore.MAX_LISTED) {
      throw HttpStatusException.badRequest("'limit' must be between 1 and "
          + EvaluationStore.MAX_LISTED + ", got " + limit);
    }
    return calls.read(() -> HttpReply.json(200, EvaluationListing.json(results().list(
        c.param("model"), c.param("version"), (int) limit))));
  }

  /** Stops the read pool (the runner is closed by its owner). */
  @Override
  public void close() {
    calls.close();
  }
}
