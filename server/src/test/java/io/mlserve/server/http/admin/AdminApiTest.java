package io.mlserve.server.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.core.Failure;
import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin routes' bounded pool, driven through the routes without a server. */
class AdminApiTest {
  @TempDir Path dir;

  @Test
  void aFullPoolRefusesAtOnceAndTheQueuedCallsStillAnswer() throws Exception {
    ModelStore store = ModelStore.open(dir);
    try (EventLog events = EventLog.open(store.root())) {
      ModelRegistry registry =
          new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
      registry.register(
          RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test"));
      CountDownLatch release = new CountDownLatch(1);
      // The status supplier runs on the pool: blocking it holds the pool's threads.
      AdminApi api = new AdminApi(registry, () -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Map.<String, ModelStatus>of();
      }, null);
      Routes routes = new Routes();
      api.register(routes);
      Endpoint show = routes.match("GET", "/api/v1/models/curve_forecaster").endpoint();
      HttpCall call = new HttpCall("GET", "/api/v1/models/curve_forecaster",
          Map.of("model", "curve_forecaster"), null, 0,
          () -> new ByteArrayInputStream(new byte[0]), Map.of(), h -> null);
      List<CompletableFuture<HttpReply>> accepted = new ArrayList<>();
      for (int i = 0; i < AdminApi.THREADS + AdminApi.QUEUE; i++) {
        accepted.add(show.handle(call));
      }
      RejectedExecutionException full =
          assertThrows(RejectedExecutionException.class, () -> show.handle(call));
      Failure refused = Failure.of(full); // HttpErrorsTest: this code is 503 with Retry-After
      assertEquals(Failure.Code.RESOURCE_EXHAUSTED, refused.code());
      assertTrue(refused.retryLater());
      release.countDown();
      for (CompletableFuture<HttpReply> f : accepted) {
        assertEquals(200, f.get(30, TimeUnit.SECONDS).status());
      }
      api.close();
    }
  }
}
