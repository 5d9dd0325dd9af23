package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.experiment.AbWindow;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Event;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary rollouts end to end: one real server (the real DJL engine, gRPC on a loopback Netty
 * port, the REST gateway, the rollout controller ticking every second as {@code bin/mlserve}'s
 * does) over a temp store, rollouts started through {@code POST /api/v1/models/{m}/rollout}, and
 * concurrent clients (gRPC {@code ModelInfer} and REST {@code /api/v1/predict}, no version, so
 * every request goes through the split) running the whole time. Each test has its own model
 * (demo 1.0.0 in Production, a candidate 1.1.0 or 2.0.0), so none depends on another.
 *
 * <ul>
 *   <li>A good candidate (the demo again) rolls 5 → 25 → 50 → 100 and ends in Production, the
 *       previous Production Deprecated, the split cleared, with 0 failed client requests.
 *   <li>canary_errors (fails on a negative first value; one input in five is), canary_slow
 *       (about 7x the demo's work, judged against 3x the stable's p95 measured in the same run)
 *       and canary_diverging (a shadow of it measures the divergence) are each aborted at the
 *       first step (5%) with the failing check and its numbers, and then the stable version
 *       answers every unversioned request.
 * </ul>
 *
 * <p>No sleep decides anything: each wait polls the registry or the server with a bounded
 * deadline.
 */
class CanaryRolloutIT {
  private static final String TOKEN = "e2e-token";
  /** The rollout controller's tick, as {@code bin/mlserve} runs it. */
  private static final long TICK_MILLIS = 1_000;
  private static final long AWAIT_SECONDS = 60;
  private static final Path FIXTURES = Path.of("src/test/resources/models");
  private static final int GRPC_THREADS = 3;
  private static final int REST_THREADS = 1;
  /** Candidate requests a step needs before it is judged. */
  private static final int MIN_REQUESTS = 40;

  @TempDir static Path dir;
  private static ServerFixture fx;
  private static HttpGateway gateway;
  private static int httpPort;
  private static ManagedChannel channel;
  private static final HttpClient admin = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    fx = ServerFixture.loopback(dir, true, TICK_MILLIS);
    Path examples = DemoModel.dir().resolve("examples.json");
    Path demo = DemoModel.dir().resolve("model.pt");
    register("rollout_good", "1.0.0", demo, examples);
    register("rollout_good", "1.1.0", demo, examples);
    register("rollout_errors", "1.0.0", demo, examples);
    register("rollout_errors", "2.0.0", FIXTURES.resolve("canary_errors.pt"), examples);
    register("rollout_slow", "1.0.0", demo, examples);
    register("rollout_slow", "2.0.0", FIXTURES.resolve("canary_slow.pt"), examples);
    register("rollout_diverging", "1.0.0", demo, examples);
    register("rollout_diverging", "2.0.0", FIXTURES.resolve("canary_diverging.pt"), null);
    for (String m : List.of("rollout_good", "rollout_errors", "rollout_slow",
        "rollout_diverging")) {
      fx.registry.promote(m, "1.0.0", Stage.PRODUCTION, "test", "setup");
    }
    assertEquals(List.of(), fx.server.start());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, TOKEN)
        .build();
    httpPort = gateway.start();
    channel = fx.loopbackChannel();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  /** Registers {@code artifact} as {@code model:version} under the demo model's signature. */
  private static void register(String model, String version, Path artifact, Path examples) {
    RegisterRequest d = RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"),
        "test");
    fx.registry.register(new RegisterRequest(model, version, artifact, d.format(),
        d.signature(), d.serving(), null, d.params(), d.metrics(), "e2e " + artifact.getFileName(),
        examples, "test"));
  }

  /** Starts a rollout through the REST admin route, as an operator's script would. */
  private static void startRollout(String model, String body) throws Exception {
    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + httpPort + "/api/v1/models/" + model + "/rollout"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  /** Polls {@code value} until {@code done} holds; fails with {@code what} after 60 s. */
  private static <T> T await(String what, Supplier<T> value, Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    T v = value.get();
    while (!done.test(v)) {
      if (System.nanoTime() > deadline) {
        fail(what + " within " + AWAIT_SECONDS + " s; last seen: " + v);
      }
      Thread.sleep(20); // a bounded poll of the server or the store; not a correctness sleep
      v = value.get();
    }
    return v;
  }

  private static Rollout rollout(String model) {
    return fx.registry.deployment(model).map(d -> d.rollout()).orElse(null);
  }

  private static Map<String, Double> servedSplit(String model) {
    ArmTable a = fx.server.router().arms(model);
    return a == null ? null : a.weights();
  }

  private static List<Event> events(String model, long afterSeq, String type) {
    return fx.events.readSince(afterSeq).stream()
        .filter(e -> e.modelName().equals(model) && e.eventType().equals(type)).toList();
  }

  private static UnversionedLoad load(String model, int badEvery, long perThread)
      throws Exception {
    return UnversionedLoad.start(model, channel, GRPC_THREADS, httpPort, REST_THREADS, badEvery,
        perThread);
  }

  @Test
  void aGoodCandidateRollsThroughEveryStepIntoProductionWithNoFailedRequest() throws Exception {
    String m = "rollout_good";
    long seq = fx.events.lastSeq();
    UnversionedLoad.Summary during;
    try (UnversionedLoad load = load(m, 0, Long.MAX_VALUE)) {
      await("the load flowing", load::sent, n -> n >= 100);
      startRollout(m, "{\"version\":\"1.1.0\",\"steps\":[5,25,50,100],\"bake_ms\":1000,"
          + "\"min_requests\":" + MIN_REQUESTS + ",\"max_error_rate\":0.01,"
          + "\"max_p95_ms\":10000,\"reason\":\"e2e good canary\"}");
      Rollout done = await("the rollout over", () -> rollout(m), r -> !r.state().isActive());
      assertEquals(Rollout.State.SUCCEEDED, done.state(), done.toString());
      // The server follows: the split goes, 1.1.0 serves as Production; the load goes on.
      await("the server serving 1.1.0 with no split", () -> {
        ServedModel p = fx.server.router().defaultVersion(m);
        return servedSplit(m) == null && p != null ? p.version() : null;
      }, "1.1.0"::equals);
      long sinceEnd = load.answeredBy("1.1.0");
      await("more answers after the end", () -> load.answeredBy("1.1.0"),
          n -> n >= sinceEnd + 100);
      during = load.stop();
    }
    assertEquals(0, during.failed(), "no request failed over the whole rollout: " + during);
    assertTrue(during.versions().getOrDefault("1.0.0", 0L) > 0
        && during.versions().getOrDefault("1.1.0", 0L) > 0, during.toString());

    assertEquals(Stage.PRODUCTION, fx.registry.stageOf(m, "1.1.0"));
    assertEquals(Stage.DEPRECATED, fx.registry.stageOf(m, "1.0.0"));
    assertNull(fx.registry.deployment(m).orElseThrow().split(), "the split is cleared");
    List<String> steps = events(m, seq, Event.ROLLOUT_STEP).stream()
        .map(e -> e.field("action").asText() + "@" + e.field("weight").asDouble())
        .filter(s -> !s.startsWith("extended")).toList();
    assertEquals(List.of("started@5.0", "advanced@25.0", "advanced@50.0", "advanced@100.0",
        "finished@100.0"), steps, "the rollout's steps, in order (extensions left out)");
    List<Event> promoted = events(m, seq, Event.PROMOTED);
    assertEquals(1, promoted.size(), promoted.toString());
    assertEquals("1.1.0", promoted.get(0).version());
    assertEquals("1.0.0", promoted.get(0).previousVersion());
    assertEquals(List.of(), events(m, seq, Event.ROLLOUT_ABORTED));

    UnversionedLoad.Summary after = load(m, 0, 50).await();
    assertEquals(Map.of("1.1.0", 200L), after.versions(), after.toString());
  }

  @Test
  void aCandidateThatFailsOnSomeInputsIsAbortedAtTheFirstStep() throws Exception {
    Matcher why = abortedAtFirstStep("rollout_errors", 5, Double.NaN, null,
        Pattern.compile("error rate ([0-9.]+) > 0\\.01 over ([0-9]+) requests at 5%"));
    assertTrue(Double.parseDouble(why.group(1)) > 0.01, why.group());
    assertTrue(Long.parseLong(why.group(2)) >= MIN_REQUESTS, why.group());
  }

  @Test
  void aSlowCandidateIsAbortedAtTheFirstStepOnItsP95() throws Exception {
    String m = "rollout_slow";
    // The stable version's p95 in this run, measured by what judges the candidate (the
    // server's window of a split's arm): a split 1.0.0=100,2.0.0=0 under the same load.
    fx.registry.setTraffic(m, Map.of("1.0.0", 100.0, "2.0.0", 0.0), "test", "measure");
    await("the measuring split served", () -> servedSplit(m),
        w -> w != null && w.containsKey("2.0.0"));
    double stableP95;
    try (UnversionedLoad load = load(m, 0, Long.MAX_VALUE)) {
      AbWindow.Arm stable = await("2,000 stable answers in the window",
          () -> arm(m, "1.0.0"), a -> a != null && a.requests() >= 2_000);
      stableP95 = stable.p95Ms();
      load.stop();
    }
    double maxP95 = 3 * stableP95;
    Matcher why = abortedAtFirstStep(m, 0, maxP95, null,
        Pattern.compile("p95 ([0-9.]+) ms > ([0-9.]+) ms over ([0-9]+) requests at 5%"));
    String seen = why.group() + " (stable p95 before: " + stableP95 + " ms)";
    assertTrue(Double.parseDouble(why.group(1)) > Double.parseDouble(why.group(2)), seen);
    assertTrue(Long.parseLong(why.group(3)) >= MIN_REQUESTS, seen);
  }

  @Test
  void aCandidateWhoseShadowDivergesIsAbortedAtTheFirstStep() throws Exception {
    String m = "rollout_diverging";
    fx.registry.startShadow(m, "2.0.0", 1.0, 1e-4, 1e-3, "test", "compare before the canary");
    await("the shadow running", () -> fx.server.shadows().active(m), a -> a);
    Matcher why = abortedAtFirstStep(m, 0, Double.NaN, 0.05,
        Pattern.compile("divergence ([0-9.]+) > 0\\.05 over ([0-9]+) requests at 5%"));
    assertEquals(1.0, Double.parseDouble(why.group(1)), "every compared answer differs by 0.5");
    assertTrue(Long.parseLong(why.group(2)) >= MIN_REQUESTS, why.group());
  }

  private static AbWindow.Arm arm(String model, String version) {
    AbWindow w = fx.server.experiments().report(model).current();
    return w == null ? null : w.arms().stream().filter(a -> a.version().equals(version))
        .findFirst().orElse(null);
  }

  /**
   * Runs a 5,25,50,100 rollout of {@code model}'s 2.0.0 under load (one input in
   * {@code badEvery} negative; 0: none) and checks that it is aborted at its first step with a
   * reason matching {@code reason}, that the abort was one write (event, record: candidate at
   * 0), and that the stable 1.0.0 then answers every unversioned request, negative inputs
   * included. Only canary_errors may fail requests, and only while it takes traffic.
   *
   * @param maxP95 the p95 threshold, or NaN for a lax one (10 s)
   * @param maxDivergence the divergence threshold, or null for none
   * @return the reason's match
   */
  private static Matcher abortedAtFirstStep(String m, int badEvery, double maxP95,
      Double maxDivergence, Pattern reason) throws Exception {
    long seq = fx.events.lastSeq();
    UnversionedLoad.Summary during;
    Matcher why;
    try (UnversionedLoad load = load(m, badEvery, Long.MAX_VALUE)) {
      await("the load flowing", load::sent, n -> n >= 100);
      startRollout(m, "{\"version\":\"2.0.0\",\"steps\":[5,25,50,100],\"bake_ms\":2000,"
          + "\"min_requests\":" + MIN_REQUESTS + ",\"max_error_rate\":0.01,\"max_p95_ms\":"
          + String.format(Locale.ROOT, "%.3f", Double.isNaN(maxP95) ? 10_000 : maxP95)
          + (maxDivergence == null ? "" : ",\"max_divergence\":" + maxDivergence)
          + ",\"reason\":\"e2e canary\"}");
      Rollout r = await("the rollout over", () -> rollout(m), x -> !x.state().isActive());
      assertEquals(Rollout.State.ABORTED, r.state(), r.toString());
      assertEquals(0, r.step(), "aborted at the first step: " + r);
      assertNotNull(r.abortReason(), r.toString());
      why = reason.matcher(r.abortReason());
      assertTrue(why.find(), r.abortReason());
      assertEquals(Map.of("1.0.0", 100.0, "2.0.0", 0.0),
          fx.registry.deployment(m).orElseThrow().split().weights(), "the candidate at 0");
      List<Event> aborted = events(m, seq, Event.ROLLOUT_ABORTED);
      assertEquals(1, aborted.size(), aborted.toString());
      assertEquals(5.0, aborted.get(0).field("weight").asDouble());
      assertEquals(r.abortReason(), aborted.get(0).field("reason").asText());
      assertEquals(List.of("started"), events(m, seq, Event.ROLLOUT_STEP).stream()
          .map(e -> e.field("action").asText()).filter(a -> !a.equals("extended")).toList());
      await("the server serving the candidate at 0", () -> servedSplit(m),
          w -> w != null && w.get("2.0.0") == 0.0);
      during = load.stop();
      assertTrue(load.answeredBy("2.0.0") > 0 || during.failed() > 0,
          "the candidate took traffic before the abort: " + during);
      if (badEvery == 0) {
        assertEquals(0, during.failed(), during.toString());
      }
    }
    assertEquals(Stage.PRODUCTION, fx.registry.stageOf(m, "1.0.0"));
    UnversionedLoad.Summary after = load(m, Math.max(badEvery, 5), 50).await();
    assertEquals(0, after.failed(), after.toString());
    assertEquals(Map.of("1.0.0", 200L), after.versions(), "the stable version takes all");
    return why;
  }
}
