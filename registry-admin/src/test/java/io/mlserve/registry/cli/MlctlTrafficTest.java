package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlctl traffic set|show|clear}, on a store directly and against a server. */
class MlctlTrafficTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path store;

  @BeforeEach
  void setUp() throws Exception {
    store = Mlctl.storeWithModel(tmp);
  }

  private Mlctl.Result onStore(String... args) {
    return Mlctl.onStore(store, args);
  }

  @Test
  void setShowAndClearOnAStore() throws Exception {
    Mlctl.Result r = onStore("traffic", "show", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("m has no traffic split: unversioned requests follow the stage pointers",
        r.out().trim());

    r = onStore("traffic", "set", "--model", "m", "--split", "1.2.0=90,1.3.0=10", "--reason",
        "A/B test");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("m: traffic split set to 1.2.0=90,1.3.0=10", lines.get(0));
    assertTrue(lines.get(1).matches("set by tester at \\S+Z: A/B test"), lines.get(1));
    assertEquals(List.of("VERSION  WEIGHT  BUCKETS", "1.2.0    90%     9000",
        "1.3.0    10%     1000"), lines.subList(2, 5));
    assertEquals("1.2.0=90,1.3.0=10",
        DeploymentStore.read(store, "m").orElseThrow().split().spec());

    r = onStore("--output", "json", "traffic", "show", "--model", "m");
    JsonNode j = JSON.readTree(r.out());
    assertEquals(90.0, j.at("/split/1.2.0").asDouble());
    assertEquals(1000, j.at("/buckets/1.3.0").asInt());
    assertEquals("tester", j.get("actor").asText());
    assertEquals("A/B test", j.get("reason").asText());
    assertTrue(j.get("seq").asLong() > 0);

    r = onStore("history", "--model", "m");
    assertTrue(r.out().lines().anyMatch(l -> l.matches(
        "\\S+\\s+traffic\\s+-\\s+1\\.2\\.0=90,1\\.3\\.0=10\\s+tester\\s+A/B test")), r.out());
    r = onStore("--output", "json", "events");
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith(
        "{\"event_type\":\"ml.model.traffic_changed.v1\"")), r.out());

    r = onStore("archive", "--model", "m", "--version", "1.3.0");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: version 1.3.0 takes 10% of m's traffic; change"
        + " or clear the split first", r.err().trim());

    r = onStore("--output", "json", "traffic", "clear", "--model", "m", "--reason", "done");
    assertEquals(0, r.code(), r.err());
    j = JSON.readTree(r.out());
    assertTrue(j.get("split").isNull() && j.get("buckets").isNull(), r.out());
    assertEquals("done", j.get("reason").asText());
    r = onStore("traffic", "clear", "--model", "m");
    assertEquals("m has no traffic split: unversioned requests follow the stage pointers",
        r.out().trim());
  }

  @Test
  void badRequestsSayWhatIsWrong() {
    Mlctl.Result r = onStore("traffic", "set", "--model", "m", "--split", "1.2.0=90,1.3.0=5");
    assertEquals(1, r.code());
    assertEquals("mlctl: the weights add up to 95, not 100: 1.2.0=90,1.3.0=5", r.err().trim());
    r = onStore("traffic", "set", "--model", "m", "--split", "1.2.0=90,9.9.9=10");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'm' has no version '9.9.9'", r.err().trim());
    r = onStore("traffic", "show", "--model", "nope");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'nope' not found", r.err().trim());
    r = onStore("traffic", "set", "--model", "m");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Missing required option: '--split=V=PCT,...'"), r.err());
  }

  @Test
  void worksAgainstARunningServerWithAToken() throws Exception {
    ModelStore s = ModelStore.open(store);
    try (EventLog events = EventLog.open(store)) {
      ModelRegistry registry = new ModelRegistry(s, events, ArtifactValidator.none(),
          Clock.systemUTC());
      Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(AdminServices.create(registry, s, events, "tok", Clock.systemUTC())
              .service())
          .build().start();
      try {
        String target = "127.0.0.1:" + server.getPort();
        Mlctl.Result r = Mlctl.run("--server", target, "traffic", "set", "--model", "m",
            "--split", "1.2.0=50,1.3.0=50");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("mlctl: UNAUTHENTICATED"), r.err());
        r = Mlctl.run("--server", target, "--token", "tok", "--actor", "ops", "traffic", "set",
            "--model", "m", "--split", "1.2.0=50,1.3.0=50", "--reason", "A/B");
        assertEquals(0, r.code(), r.err());
        assertEquals("ops", registry.deployment("m").orElseThrow().actor());
        r = Mlctl.run("--server", target, "--output", "json", "traffic", "show", "--model", "m");
        assertEquals(0, r.code(), r.err());
        assertEquals(5000, JSON.readTree(r.out()).at("/buckets/1.3.0").asInt());
        r = Mlctl.run("--server", target, "traffic", "clear", "--model", "m");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("mlctl: UNAUTHENTICATED"), r.err());
        r = Mlctl.run("--server", target, "--token", "tok", "traffic", "clear", "--model", "m");
        assertEquals(0, r.code(), r.err());
        assertEquals(null, registry.deployment("m").orElseThrow().split());
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
