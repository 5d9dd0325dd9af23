package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/** Polling a bulk job until it leaves the running state, with a bounded deadline. */
final class JobPolling {
  private JobPolling() {}

  static JsonNode poll(HttpTestClient http, String location) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      HttpResponse<String> r = http.get(location);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode s = json(r);
      assertTrue(s.get("processed").asLong() <= s.get("total").asLong());
      if (!s.get("state").asText().equals("running")) {
        return s;
      }
      assertTrue(System.nanoTime() < deadline, "job did not finish: " + s);
      Thread.sleep(20); // polling interval only; correctness does not depend on it
    }
  }
}
