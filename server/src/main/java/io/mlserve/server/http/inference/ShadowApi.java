package io.mlserve.server.http.inference;

import io.mlserve.registry.grpc.ShadowJsonFormat;
import io.mlserve.server.grpc.ExperimentProtos;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.shadow.Shadows;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A model's shadow report over REST: {@code GET /api/v1/models/{model}/shadow} — what was
 * mirrored and dropped, the shadow's errors, timeouts and latency, the agreement with the
 * primary within the tolerances, the divergence per output and the worst-diverging examples. A
 * model with no shadow is 404 naming the models that have one. The same report and JSON as the
 * gRPC {@code mlserve.serving.v1.Experiments/ShadowReport} and
 * {@code mlctl shadow report --output json} ({@link ShadowJsonFormat}). In memory and cheap:
 * answers on the event loop. This class is thread-safe.
 */
public final class ShadowApi {
  private final Shadows shadows;

  public ShadowApi(Shadows shadows) {
    this.shadows = Objects.requireNonNull(shadows, "shadows");
  }

  public void register(Routes routes) {
    routes.add("GET", "/api/v1/models/{model}/shadow", c -> CompletableFuture.completedFuture(
        HttpReply.json(200, Json.write(g -> ShadowJsonFormat.report(g,
            ExperimentProtos.shadowReport(shadows.report(c.param("model"))))))));
  }
}
