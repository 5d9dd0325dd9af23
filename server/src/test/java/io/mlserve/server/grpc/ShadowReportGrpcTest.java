package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import io.mlserve.proto.serving.v1.ShadowExample;
import io.mlserve.proto.serving.v1.ShadowOutput;
import io.mlserve.proto.serving.v1.ShadowReportRequest;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.registry.grpc.ShadowJsonFormat;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.shadow.ShadowConfig;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.MlctlRun;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC {@code Experiments/ShadowReport} over a real loopback server with the real engine, a
 * diverging shadow (canary_diverging.pt: the demo + 0.5) of the demo model, and the same report
 * from REST ({@code GET /api/v1/models/{m}/shadow}) and {@code mlctl shadow report}: one JSON
 * shape for all three.
 */
class ShadowReportGrpcTest {
  private static final String MODEL = "curve_forecaster";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REQUESTS = 20;
  private static final int WORST_KEPT = ShadowConfig.DEFAULT_WORST_KEPT;
  /** The REST report's fields as the README and earlier clients know them, in order. */
  private static final List<String> REST_FIELDS = List.of("model", "version", "sample", "atol",
      "rtol", "started_at_ms", "mirrored", "dropped", "queued", "compared", "agreed",
      "agreement_ratio", "errors", "timeouts", "error_rate", "latency_ms", "outputs", "worst");

  @TempDir static Path dir;
  static ServerFixture fx;
  static HttpGateway gateway;
  static int httpPort;
  static ManagedChannel channel;
  static ExperimentsGrpc.ExperimentsBlockingStub stub;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    fx = ServerFixture.loopback(dir, true);
    fx.registerDemo("1.0.0", true);
    fx.registerArtifact("2.0.0", Path.of("src/test/resources/models/canary_diverging.pt"), null);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .shadows(fx.server.shadows())
        .build();
    httpPort = gateway.start();
    channel = fx.loopbackChannel();
    stub = ExperimentsGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.close();
    fx.close();
  }

  private static <T> T await(Supplier<T> value, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.test(value.get()) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for asynchronous work; not a correctness sleep
    }
    return value.get();
  }

  private static ShadowReportResponse report(String model) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .shadowReport(ShadowReportRequest.newBuilder().setModel(model).build());
  }

  private static HttpResponse<String> rest(String model) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
        + "/api/v1/models/" + model + "/shadow")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static MlctlRun.Result mlctl(String... args) {
    List<String> all = new ArrayList<>(List.of("--server", "127.0.0.1:" + fx.server.grpcPort()));
    all.addAll(List.of(args));
    return MlctlRun.run(all.toArray(String[]::new));
  }

  private static StatusRuntimeException refusal(String model) {
    return assertThrows(StatusRuntimeException.class, () -> report(model));
  }

  @Test
  void reportOverGrpcRestAndMlctlSaysTheSame() throws Exception {
    fx.registry.startShadow(MODEL, "2.0.0", 1.0, 1e-4, 1e-3, "test", "compare");
    assertTrue(await(() -> fx.server.shadows().active(MODEL), a -> a));
    for (int i = 0; i < REQUESTS; i++) {
      fx.server.inference().infer(ModelRef.of(MODEL), List.of(DemoModel.row(50 + i)),
          new RequestContext(Long.MAX_VALUE, "test", "q" + i, null)).get(60, TimeUnit.SECONDS);
    }
    // Each comparison is counted, then offered to the worst list: await both.
    await(() -> fx.server.shadows().report(MODEL),
        r -> r.compared() >= REQUESTS && r.worst().size() == WORST_KEPT);

    ShadowReportResponse r = report(MODEL);
    assertEquals(MODEL, r.getModel());
    assertEquals("2.0.0", r.getVersion());
    assertEquals(1.0, r.getSample());
    assertEquals(1e-4, r.getAtol());
    assertEquals(REQUESTS, r.getMirrored());
    assertEquals(0, r.getDropped());
    assertEquals(REQUESTS, r.getCompared());
    assertEquals(0, r.getAgreed());
    assertEquals(0.0, r.getAgreementRatio(), "every answer is 0.5 off");
    assertEquals(0, r.getErrors() + r.getTimeouts());
    assertEquals(0.0, r.getErrorRate());
    assertTrue(r.hasP50Ms() && r.hasP99Ms(), r.toString());
    ShadowOutput o = r.getOutputs(0);
    assertEquals("forecast", o.getName());
    assertEquals(REQUESTS, o.getRequests());
    assertEquals(REQUESTS * 24, o.getElements());
    assertEquals(0.5, o.getMaxAbsDiff(), 1e-4);
    assertEquals(0.5, o.getMeanAbsDiff(), 1e-4);
    assertEquals(WORST_KEPT, r.getWorstCount(), "the report keeps the 10 worst");
    ShadowExample worst = r.getWorst(0);
    assertTrue(worst.getRequestId().matches("q\\d+"), worst.getRequestId());
    assertEquals("1.0.0", worst.getPrimaryVersion());
    assertEquals(List.of(1L, 24L), worst.getInputs(0).getShapeList());
    assertEquals(24, worst.getInputs(0).getElements());
    assertEquals(0.5, worst.getShadow(0).getValues(0) - worst.getPrimary(0).getValues(0), 1e-4);

    // One JSON shape: REST, mlctl and the writer over the gRPC answer agree. The last
    // comparison's worst example may land just after its count, so read until they settle.
    JsonNode viaRest = null;
    JsonNode viaMlctl = null;
    JsonNode direct = null;
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> http = rest(MODEL);
      assertEquals(200, http.statusCode(), http.body());
      viaRest = JSON.readTree(http.body());
      MlctlRun.Result cli = mlctl("--output", "json", "shadow", "report", "--model", MODEL);
      assertEquals(0, cli.code(), cli.err());
      viaMlctl = JSON.readTree(cli.out());
      ShadowReportResponse now = report(MODEL);
      direct = JSON.readTree(AdminJsonFormat.toString(g -> ShadowJsonFormat.report(g, now),
          false));
      if (viaRest.equals(viaMlctl) && viaRest.equals(direct)) {
        break;
      }
    }
    assertEquals(viaRest, viaMlctl);
    assertEquals(viaRest, direct);
    List<String> fields = new ArrayList<>();
    viaRest.fieldNames().forEachRemaining(fields::add);
    assertEquals(REST_FIELDS, fields);
    assertEquals(0.0, viaRest.get("agreement_ratio").asDouble());
    assertEquals(0.5, viaRest.at("/outputs/0/max_abs_diff").asDouble(), 1e-4);
    assertTrue(viaRest.at("/worst/0/request_id").asText().matches("q\\d+"), viaRest.toString());

    MlctlRun.Result table = mlctl("shadow", "report", "--model", MODEL);
    assertEquals(0, table.code(), table.err());
    List<String> lines = table.out().lines().toList();
    assertTrue(lines.get(0).matches("model curve_forecaster, shadow 2\\.0\\.0 \\(sample 1, atol"
        + " 0\\.0001, rtol 0\\.001\\), since \\S+Z"), lines.get(0));
    assertEquals("mirrored 20, dropped 0, queued 0; compared 20, agreed 0 (agreement 0%); errors"
        + " 0, timeouts 0 (error rate 0%)", lines.get(1));
    assertTrue(lines.get(2).matches("shadow latency ms: p50 [\\d.]+, p95 [\\d.]+, p99 [\\d.]+"),
        lines.get(2));
    assertTrue(lines.get(3).matches("OUTPUT\\s+REQUESTS\\s+MISMATCHED\\s+ELEMENTS\\s+MEAN ABS"
        + " DIFF\\s+MAX ABS DIFF\\s+MEAN REL DIFF"), lines.get(3));
    assertTrue(lines.get(4).matches("forecast\\s+20\\s+0\\s+480\\s+0\\.5\\s+0\\.5\\s+[\\d.]+"),
        lines.get(4));
    assertEquals("worst-diverging requests, worst first:", lines.get(5));
    assertTrue(lines.get(6).matches("1\\. request q\\d+ \\(answered by 1\\.0\\.0\\): max \\|diff\\|"
        + " 0\\.5"), lines.get(6));
    assertTrue(lines.get(7).matches("   input curve FP32 \\[1,24\\]: (-?[\\d.]+, ){8}\\.\\.\\."
        + " \\(24 values\\)"), lines.get(7));

    StatusRuntimeException other = refusal("nope");
    assertEquals(Status.Code.NOT_FOUND, other.getStatus().getCode());
    assertEquals("model 'nope' has no shadow (models with one: curve_forecaster)",
        other.getStatus().getDescription());

    fx.registry.stopShadow(MODEL, "test", "done");
    assertFalse(await(() -> fx.server.shadows().active(MODEL), a -> !a));
    String none = "model 'curve_forecaster' has no shadow (no model has one)";
    StatusRuntimeException stopped = refusal(MODEL);
    assertEquals(Status.Code.NOT_FOUND, stopped.getStatus().getCode());
    assertEquals(none, stopped.getStatus().getDescription());
    HttpResponse<String> http = rest(MODEL);
    assertEquals(404, http.statusCode(), http.body());
    assertEquals(none, JSON.readTree(http.body()).get("error").asText());
    MlctlRun.Result cli = mlctl("shadow", "report", "--model", MODEL);
    assertEquals(1, cli.code());
    assertEquals("mlctl: NOT_FOUND: " + none, cli.err().trim());
  }

  @Test
  void aReportNeedsAModel() {
    StatusRuntimeException e = refusal(" ");
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("model is missing", e.getStatus().getDescription());
  }
}
