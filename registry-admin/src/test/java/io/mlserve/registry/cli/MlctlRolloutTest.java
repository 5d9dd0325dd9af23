package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlctl rollout start|status|pause|resume|abort|promote}, on a store and a server. */
class MlctlRolloutTest {
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

  private Rollout record() {
    return DeploymentStore.read(store, "m").orElseThrow().rollout();
  }

  @Test
  void startStatusPauseResumeAndAbortOnAStore() throws Exception {
    Mlctl.Result r = onStore("rollout", "status", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("m has no rollout", r.out().trim());

    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--steps",
        "10,50,100", "--bake", "2m", "--max-error-rate", "0.02", "--max-p95-ms", "150",
        "--min-requests", "50", "--max-divergence", "0.1", "--pause-at", "50", "--reason",
        "canary");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("m: rollout of 1.3.0 from 1.2.0 started: RUNNING at 10% (step 1 of 3)",
        lines.get(0));
    assertEquals("steps 10,50,100, bake 120s, max error rate 0.02, max p95 150 ms, min requests"
        + " 50, max divergence 0.1, pause at 50%", lines.get(1));
    assertTrue(lines.get(2).matches("step started \\S+Z, extended 0 times"), lines.get(2));
    assertEquals(List.of("VERSION  WEIGHT  BUCKETS", "1.2.0    90%     9000",
        "1.3.0    10%     1000"), lines.subList(3, 6));
    Rollout rec = record();
    assertEquals(new Rollout.Thresholds(0.02, 150, 50, 0.1), rec.thresholds());
    assertEquals(120_000, rec.bakeMillis());
    assertEquals(50.0, rec.pauseAt());

    r = onStore("--output", "json", "rollout", "status", "--model", "m");
    assertEquals(0, r.code(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals("RUNNING", j.at("/rollout/state").asText());
    assertEquals("[10.0,50.0,100.0]", j.at("/rollout/steps").toString());
    assertEquals(0.1, j.at("/rollout/thresholds/max_divergence").asDouble());
    assertTrue(j.at("/rollout/abort_reason").isNull());
    assertEquals(1000, j.at("/traffic/buckets/1.3.0").asInt());

    r = onStore("rollout", "pause", "--model", "m", "--reason", "weekend");
    assertEquals(0, r.code(), r.err());
    assertEquals(Rollout.State.PAUSED, record().state());
    r = onStore("rollout", "pause", "--model", "m");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: the rollout of m:1.3.0 is PAUSED at 10% (step 1"
        + " of 3); resume it first", r.err().trim());
    r = onStore("rollout", "resume", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals(Rollout.State.RUNNING, record().state());

    r = onStore("rollout", "abort", "--model", "m", "--reason", "saw errors");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("aborted: saw errors"), r.out());
    Deployment d = DeploymentStore.read(store, "m").orElseThrow();
    assertEquals("1.2.0=100,1.3.0=0", d.split().spec());
    assertEquals(Rollout.State.ABORTED, d.rollout().state());
    r = onStore("--output", "json", "events");
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith(
        "{\"event_type\":\"ml.model.rollout_aborted.v1\"")), r.out());
  }

  @Test
  void badRequestsSayWhatIsWrong() {
    Mlctl.Result r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0",
        "--steps", "5,50,25,100");
    assertEquals(1, r.code());
    assertEquals("mlctl: steps 5,50,25,100 are not strictly increasing", r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--bake", "soon");
    assertEquals(1, r.code());
    assertEquals("mlctl: bake 'soon' is not a duration (e.g. 60s, 5m, 1h, 1500ms)",
        r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--bake", "2d");
    assertEquals(1, r.code());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--bake", "25h");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: rollout of m:1.3.0: bake 90000000 ms is not from"
        + " 1 s to 24 h", r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--max-error-rate",
        "2");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: max error rate 2.0 is not a fraction from 0 to 1"
        + " (e.g. 0.01)", r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "9.9.9");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'm' has no version '9.9.9'", r.err().trim());
    r = onStore("rollout", "abort", "--model", "m");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: model m has no rollout; start one first",
        r.err().trim());
    assertTrue(DeploymentStore.read(store, "m").isEmpty());
  }

  @Test
  void theFeedbackFlagsReachTheRecordAndStatus() throws Exception {
    Mlctl.Result r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0",
        "--max-feedback-regression", "0.05", "--min-feedback", "40");
    assertEquals(0, r.code(), r.err());
    assertEquals("steps 5,25,50,100, bake 60s, max error rate 0.01, max p95 200 ms, min requests"
        + " 100, max feedback regression 0.05 (min 40 outcomes per arm)",
        r.out().lines().toList().get(1));
    assertEquals(new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 40), record().thresholds());
    r = onStore("--output", "json", "rollout", "status", "--model", "m");
    assertEquals(0, r.code(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals(0.05, j.at("/rollout/thresholds/max_feedback_regression").asDouble());
    assertEquals(40, j.at("/rollout/thresholds/min_feedback").asLong());
    assertEquals(0, onStore("rollout", "abort", "--model", "m").code());

    // without the flag: no feedback check, and the JSON says so
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0");
    assertEquals(0, r.code(), r.err());
    assertEquals(Rollout.Thresholds.DEFAULTS, record().thresholds());
    j = JSON.readTree(onStore("--output", "json", "rollout", "status", "--model", "m").out());
    assertTrue(j.at("/rollout/thresholds/max_feedback_regression").isNull(), j.toString());
    assertEquals(30, j.at("/rollout/thresholds/min_feedback").asLong());
  }

  @Test
  void badFeedbackFlagsSayWhatIsWrong() {
    Mlctl.Result r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0",
        "--max-feedback-regression", "5");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: max feedback regression 5.0 is not a fraction from 0"
        + " to 1 (0.05: the candidate's feedback metric at most 5% worse than the stable"
        + " version's)", r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0", "--min-feedback",
        "50");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: min feedback 50 is set without a max feedback"
        + " regression: it only says how many outcomes the feedback check needs, so set both",
        r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0",
        "--max-feedback-regression", "0.05", "--min-feedback", "0");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: min feedback 0 is below 1: feedback is never"
        + " compared on no outcomes", r.err().trim());
    r = onStore("rollout", "start", "--model", "m", "--version", "1.3.0",
        "--max-feedback-regression", "0.05", "--steps", "100");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: rollout of m:1.3.0: a max feedback regression needs"
        + " a step below 100: feedback is compared while the stable version still serves, and"
        + " at 100% it serves nothing (e.g. steps 5,25,50,100)", r.err().trim());
    assertTrue(DeploymentStore.read(store, "m").isEmpty());
  }

  @Test
  void promoteAgainstARunningServerWithAToken() throws Exception {
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
        Mlctl.Result r = Mlctl.run("--server", target, "rollout", "start", "--model", "m",
            "--version", "1.3.0");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("mlctl: UNAUTHENTICATED"), r.err());
        r = Mlctl.run("--server", target, "--token", "tok", "--actor", "ops", "rollout", "start",
            "--model", "m", "--version", "1.3.0");
        assertEquals(0, r.code(), r.err());
        assertEquals("ops", registry.deployment("m").orElseThrow().actor());
        r = Mlctl.run("--server", target, "rollout", "status", "--model", "m");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("m: rollout of 1.3.0 from 1.2.0 RUNNING at 5% (step 1 of"
            + " 4)\nsteps 5,25,50,100, bake 60s, max error rate 0.01, max p95 200 ms, min"
            + " requests 100\n"), r.out());
        r = Mlctl.run("--server", target, "rollout", "promote", "--model", "m");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("mlctl: UNAUTHENTICATED"), r.err());
        r = Mlctl.run("--server", target, "--token", "tok", "rollout", "promote", "--model", "m",
            "--reason", "looks good");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no traffic split: unversioned requests follow the stage"
            + " pointers"), r.out());
        Deployment d = registry.deployment("m").orElseThrow();
        assertEquals(Rollout.State.SUCCEEDED, d.rollout().state());
        assertNull(d.split());
        assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.3.0"));
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
