package io.mlserve.server.http.inference;

import io.mlserve.registry.grpc.DriftJsonFormat;
import io.mlserve.server.drift.DriftMonitor;
import io.mlserve.server.grpc.DriftProtos;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A model's live drift over REST: {@code GET /api/v1/models/{model}/drift[?version=V]} — per
 * served version the reference, the window, every feature's PSI and KS, prediction and
 * performance drift and a status line. A model this server does not serve is 404. The same
 * report and JSON as the gRPC {@code mlserve.serving.v1.Drift/GetDrift} and
 * {@code mlctl drift --output json} ({@link DriftJsonFormat}). Reads the monitor's published
 * results (never computes): answers on the event loop. This class is thread-safe.
 */
public final class DriftApi {
  private final DriftMonitor drift;

  public DriftApi(DriftMonitor drift) {
    this.drift = Objects.requireNonNull(drift, "drift");
  }

  public void register(Routes routes) {
    routes.add("GET", "/api/v1/models/{model}/drift", c -> CompletableFuture.completedFuture(
        HttpReply.json(200, Json.write(g -> DriftJsonFormat.report(g,
            DriftProtos.report(drift.report(c.param("model"), emptyToNull(c.queryParam("version")))))))));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
