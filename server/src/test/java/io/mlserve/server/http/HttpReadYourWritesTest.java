package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change through the REST admin routes is in force on the server that answered when the call
 * returns. The fixture does not follow the event log, so nothing but the call itself can have
 * applied it.
 */
class HttpReadYourWritesTest {
  private static final String MODEL = "curve_forecaster";
  private static final String[] AUTH = {"Authorization", "Bearer tok"};
  @TempDir Path dir;
  private ServerFixture fx;
  private HttpGateway gateway;
  private HttpTestClient http;

  @BeforeEach
  void start() throws Exception {
    fx = ServerFixture.withAdminOnly(dir);
    fx.registerDemo("1.0.0", true);
    fx.registerDemo("1.1.0", true);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, "tok")
        .appliedBy(fx.server::awaitApplied)
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    fx.close();
  }

  @Test
  void aSplitAndAPromotionThroughRestAreServedWhenTheCallReturns() throws Exception {
    String traffic = "/api/v1/models/" + MODEL + "/traffic";
    assertNull(fx.server.router().arms(MODEL));
    HttpResponse<String> set = http.send("PUT", traffic,
        "{\"weights\":{\"1.0.0\":90,\"1.1.0\":10},\"reason\":\"a/b\"}", AUTH);
    assertEquals(200, set.statusCode(), set.body());
    assertNotNull(fx.server.router().arms(MODEL), "applied before the answer");

    // A refused change is answered at once and changes nothing.
    HttpResponse<String> bad = http.send("PUT", traffic, "{\"weights\":{\"9.9.9\":100}}", AUTH);
    assertEquals(404, bad.statusCode(), bad.body());
    assertEquals(2, fx.server.router().arms(MODEL).weights().size());

    HttpResponse<String> cleared = http.send("DELETE", traffic, "{\"reason\":\"done\"}", AUTH);
    assertEquals(200, cleared.statusCode(), cleared.body());
    assertNull(fx.server.router().arms(MODEL), "cleared before the answer");

    HttpResponse<String> promoted = http.post("/api/v1/models/" + MODEL
        + "/versions/1.1.0/promote", "{\"stage\":\"Production\",\"reason\":\"r\"}", AUTH);
    assertEquals(200, promoted.statusCode(), promoted.body());
    assertEquals("1.1.0", fx.server.router().defaultVersion(MODEL).version(),
        "the new Production version answers before the call returns");
  }
}
