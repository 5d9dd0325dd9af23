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
import io.mlserve.drift.FeatureNames;
import io.mlserve.drift.ProfileBuilder;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.serving.v1.DriftGrpc;
import io.mlserve.proto.serving.v1.FeatureDrift;
import io.mlserve.proto.serving.v1.GetDriftRequest;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.proto.serving.v1.VersionDrift;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.registry.grpc.DriftJsonFormat;
import io.mlserve.server.drift.DriftMetricsText;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.MlctlRun;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Manifest;
import io.mlserve.store.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live drift over a real loopback server with the real engine: the demo model's version has a
 * stored reference profile of 600 holdout curves (inputs only, as a dataset reference without
 * outputs); curves from that reference are served over gRPC and compare as undrifted, then the
 * same curves shifted up by 10 fill the window and every input feature drifts. One drift
 * computation is run after each phase ({@code DriftMonitor.computeNow}, what the monitor's
 * timer runs every interval), and the report is read over REST, the gRPC {@code Drift} service
 * and {@code mlctl drift}: one JSON shape for all three.
 */
class DriftReportGrpcTest {
  private static final String MODEL = "curve_forecaster";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS_PER_REQUEST = 4;

  @TempDir static Path dir;
  static ServerFixture fx;
  static HttpGateway gateway;
  static int httpPort;
  static ManagedChannel channel;
  static List<float[]> curves = new ArrayList<>();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    for (String line : Files.readAllLines(DemoModel.repoRoot().resolve(
        "examples/curve_forecaster/holdout.jsonl"))) {
      JsonNode input = JSON.readTree(line).get("input");
      float[] c = new float[input.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) input.get(i).asDouble();
      }
      curves.add(c);
    }
    fx = ServerFixture.loopback(dir, true);
    fx.registerDemo("1.0.0", true);
    Manifest m = fx.store.manifest(MODEL, "1.0.0");
    ProfileBuilder b = new ProfileBuilder(FeatureNames.inputs(m.signature()), List.of(),
        ProfileBuilder.DEFAULT_BINS, ProfileBuilder.DEFAULT_SKETCH_CAPACITY, 1);
    for (int r = 0; r < 600; r++) {
      double[] row = new double[24];
      for (int i = 0; i < 24; i++) {
        row[i] = curves.get(r)[i];
      }
      b.addRow(row, null);
    }
    ReferenceJson.write(fx.store.versionDir(MODEL, "1.0.0"),
        b.build(MODEL, "1.0.0", "dataset:holdout@test", 1));
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .drift(fx.server.drift())
        .build();
    httpPort = gateway.start();
    channel = fx.loopbackChannel();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.close();
    fx.close();
  }

  /**
   * Serves {@code requests} gRPC requests of 4 curves each, + shift: curves spread evenly over
   * the 600 of the reference (the holdout is a time series; a run of consecutive days is not a
   * sample of the whole).
   */
  private static void serve(int requests, float shift) {
    int total = requests * ROWS_PER_REQUEST;
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel);
    for (int q = 0; q < requests; q++) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (int r = 0; r < ROWS_PER_REQUEST; r++) {
        int k = q * ROWS_PER_REQUEST + r;
        for (float v : curves.get((int) ((long) k * 600 / total))) {
          c.addFp32Contents(v + shift);
        }
      }
      stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(ModelInferRequest.newBuilder()
          .setModelName(MODEL)
          .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
              .addShape(ROWS_PER_REQUEST).addShape(24).setContents(c)).build());
    }
  }

  private static GetDriftResponse grpc(String model) {
    return DriftGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getDrift(GetDriftRequest.newBuilder().setModel(model).build());
  }

  private static HttpResponse<String> rest(String model) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
        + "/api/v1/models/" + model + "/drift")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static MlctlRun.Result mlctl(String... args) {
    List<String> all = new ArrayList<>(List.of("--server", "127.0.0.1:" + fx.server.grpcPort()));
    all.addAll(List.of(args));
    return MlctlRun.run(all.toArray(String[]::new));
  }

  @Test
  void referenceCurvesDoNotDriftAndShiftedOnesDo() throws Exception {
    serve(100, 0); // 400 rows from the reference's own curves
    fx.server.drift().computeNow();
    VersionDrift v = grpc(MODEL).getVersions(0);
    assertTrue(v.getCompared(), v.getStatus());
    assertEquals("1.0.0", v.getVersion());
    assertEquals("dataset:holdout@test", v.getReferenceSource());
    assertFalse(v.getReferenceLive());
    assertEquals(400, v.getWindowRows());
    assertEquals(24, v.getFeaturesCount());
    assertEquals(0.0, v.getDriftedShare(), v.toString());
    assertTrue(v.getFeaturePsiMax() < 0.1, "psi " + v.getFeaturePsiMax());
    assertEquals(0, v.getOutputsCount(), "outputs wait for 1000 live rows");
    assertTrue(v.getStatus().contains("the outputs have no reference yet"), v.getStatus());

    serve(250, 10f); // 1000 shifted rows: the whole window
    fx.server.drift().computeNow();
    v = grpc(MODEL).getVersions(0);
    assertEquals(1000, v.getWindowRows());
    assertEquals(1.0, v.getDriftedShare());
    for (FeatureDrift f : v.getFeaturesList()) {
      assertTrue(f.getDrifted() && f.getPsi() > 1 && f.getKs() > 0.3, f.toString());
    }
    assertTrue(v.getOutputsLive(), "the first 1000 live rows became the outputs' reference");
    assertEquals(24, v.getOutputsCount());
    assertEquals("dataset:holdout@test (outputs: live)", v.getReferenceSource());
    assertEquals(1.0, fx.server.drift().latest(MODEL, "1.0.0").orElseThrow().driftedShare());

    // One JSON shape over REST, mlctl and the writer over the gRPC answer.
    HttpResponse<String> http = rest(MODEL);
    assertEquals(200, http.statusCode(), http.body());
    JsonNode viaRest = JSON.readTree(http.body());
    MlctlRun.Result cli = mlctl("--output", "json", "drift", "--model", MODEL);
    assertEquals(0, cli.code(), cli.err());
    GetDriftResponse now = grpc(MODEL);
    JsonNode direct = JSON.readTree(AdminJsonFormat.toString(g -> DriftJsonFormat.report(g, now),
        false));
    assertEquals(viaRest, JSON.readTree(cli.out()));
    assertEquals(viaRest, direct);
    assertEquals(1.0, viaRest.at("/versions/0/drifted_share").asDouble());
    assertEquals("curve[0]", viaRest.at("/versions/0/features/0/name").asText());
    assertTrue(viaRest.at("/versions/0/performance").isNull());

    MlctlRun.Result table = mlctl("drift", "--model", MODEL, "--version", "1.0.0");
    assertEquals(0, table.code(), table.err());
    List<String> lines = table.out().lines().toList();
    assertTrue(lines.get(0).startsWith("model curve_forecaster 1.0.0: reference"
        + " dataset:holdout@test (outputs: live) (600 rows), window 1000 of 1000 rows (1400"
        + " sampled), computed "), lines.get(0));
    assertTrue(lines.get(1).startsWith("drifted features 100% (PSI > 0.2); max PSI "),
        lines.get(1));
    assertEquals("performance: no outcome feedback", lines.get(2));
    assertTrue(lines.get(4).matches("FEATURE\\s+SIDE\\s+PSI\\s+KS\\s+DRIFTED\\s+LIVE MEAN\\s+REF"
        + " MEAN"), lines.get(4));
    assertTrue(lines.get(5).matches("curve\\[\\d+]\\s+input\\s+[\\d.]+\\s+[\\d.]+\\s+yes\\s.*"),
        lines.get(5));

    String metrics = new DriftMetricsText(fx.server.drift()).render();
    assertTrue(metrics.contains(
        "mlserve_drift_features_drifted_ratio{model=\"curve_forecaster\",version=\"1.0.0\"} 1\n"),
        metrics);
    assertEquals(10, metrics.lines().filter(l -> l.startsWith("mlserve_feature_drift_psi{"))
        .count(), "top 10 features only");
    assertTrue(metrics.contains("mlserve_drift_window_rows{model=\"curve_forecaster\","
        + "version=\"1.0.0\"} 1000\n"), metrics);
  }

  @Test
  void anUnknownModelIsNotFoundEverywhere() throws Exception {
    HttpResponse<String> http = rest("nope");
    assertEquals(404, http.statusCode(), http.body());
    assertTrue(http.body().contains("model 'nope' is not served by this server"), http.body());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc("nope"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    MlctlRun.Result cli = mlctl("drift", "--model", "nope");
    assertEquals(1, cli.code());
    assertTrue(cli.err().contains("model 'nope' is not served by this server"), cli.err());
  }
}
