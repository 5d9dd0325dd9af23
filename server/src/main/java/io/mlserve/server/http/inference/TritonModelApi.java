package io.mlserve.server.http.inference;

import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.triton.ModelStatisticsReport;
import io.mlserve.server.triton.TritonJson;
import io.mlserve.server.triton.TritonModelConfig;
import java.util.concurrent.CompletableFuture;

/**
 * The REST side of Triton's statistics and model configuration extensions:
 * {@code GET /v2/models[/{m}[/versions/{v}]]/stats} and
 * {@code GET /v2/models/{m}[/versions/{v}]/config}, answered with the JSON form of the same
 * messages as gRPC ({@link TritonJson}). A model or version that is not loaded is 404 with
 * {@code {"error": ...}}, as for the other {@code /v2/models} routes.
 *
 * <p>Thread-safe.
 */
public final class TritonModelApi {
  private final ModelStatisticsReport statistics;
  private final TritonModelConfig configs;

  public TritonModelApi(InferenceService service) {
    this.statistics = new ModelStatisticsReport(service);
    this.configs = new TritonModelConfig(service);
  }

  /** Adds the routes; call before any {@code /v2/models/{model}} route, which would take "stats". */
  public void register(Routes routes) {
    routes
        .add("GET", "/v2/models/stats", c -> stats("", ""))
        .add("GET", "/v2/models/{model}/stats", c -> stats(c.param("model"), ""))
        .add("GET", "/v2/models/{model}/versions/{version}/stats",
            c -> stats(c.param("model"), c.param("version")))
        .add("GET", "/v2/models/{model}/config", c -> config(c.param("model"), ""))
        .add("GET", "/v2/models/{model}/versions/{version}/config",
            c -> config(c.param("model"), c.param("version")));
  }

  private CompletableFuture<HttpReply> stats(String model, String version) {
    return ok(TritonJson.write(statistics.report(model, version)));
  }

  private CompletableFuture<HttpReply> config(String model, String version) {
    return ok(TritonJson.write(configs.config(model, version)));
  }

  private static CompletableFuture<HttpReply> ok(byte[] json) {
    return CompletableFuture.completedFuture(HttpReply.json(200, json));
  }
}
