package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mlctl traffic} as a user runs it, in a separate process against the store a
 * running server follows: {@code set} takes effect in the server, {@code show --output json}
 * prints the split, and {@code clear} removes it from the server.
 */
class MlctlTrafficIT {
  private static final String MODEL = "curve_forecaster";

  @TempDir Path tmp;

  private Mlctl.Result mlctl(String... args) throws Exception {
    return Mlctl.run(tmp, args);
  }

  /** Waits (at most 60 s) until the server's split satisfies {@code done}; returns it. */
  private static ArmTable awaitArms(ServerFixture fx, Predicate<ArmTable> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ArmTable arms = fx.server.router().arms(MODEL);
    while (!done.test(arms) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for the follower; not a correctness sleep
      arms = fx.server.router().arms(MODEL);
    }
    return arms;
  }

  @Test
  void aSplitSetByMlctlInAnotherProcessIsServedShownAndCleared() throws Exception {
    Path store = tmp.resolve("store");
    try (ServerFixture fx = new ServerFixture(store, m -> GuardPolicy.off(), true)) {
      fx.registerDemo("1.0.0", true);
      fx.registerDemo("1.1.0", true);
      fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      assertTrue(fx.server.start().isEmpty());
      assertNull(fx.server.router().arms(MODEL));
      String dir = store.toString();

      Mlctl.Result set = mlctl("--store", dir, "traffic", "set", "--model", MODEL, "--split",
          "1.0.0=90,1.1.0=10", "--reason", "it");
      assertEquals(0, set.code(), set::toString);
      assertTrue(set.out().contains("1.0.0=90,1.1.0=10"), set.out());
      ArmTable arms = awaitArms(fx, a -> a != null);
      assertNotNull(arms, "the server applied the split within 60 s");
      assertEquals(Map.of("1.0.0", 90.0, "1.1.0", 10.0), arms.weights());
      assertNotNull(fx.server.router().loaded(MODEL, "1.1.0"), "1.1.0 was loaded for the split");

      Mlctl.Result show = mlctl("--store", dir, "traffic", "show", "--model", MODEL, "--output",
          "json");
      assertEquals(0, show.code(), show::toString);
      JsonNode shown = new ObjectMapper().readTree(show.out());
      assertEquals(MODEL, shown.get("model").asText());
      assertEquals(90.0, shown.get("split").get("1.0.0").asDouble(), show.out());
      assertEquals(10.0, shown.get("split").get("1.1.0").asDouble(), show.out());
      assertEquals(2, shown.get("split").size(), show.out());
      assertEquals("it", shown.get("reason").asText(), show.out());

      Mlctl.Result clear = mlctl("--store", dir, "traffic", "clear", "--model", MODEL, "--reason",
          "done");
      assertEquals(0, clear.code(), clear::toString);
      assertNull(awaitArms(fx, a -> a == null), "the server dropped the split within 60 s");
      Mlctl.Result after = mlctl("--store", dir, "traffic", "show", "--model", MODEL, "--output",
          "json");
      assertEquals(0, after.code(), after::toString);
      assertTrue(new ObjectMapper().readTree(after.out()).get("split").isNull(), after.out());
    }
  }
}
