package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelInferResponse.InferOutputTensor;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.server.testing.StoreMlctl;
import io.mlserve.store.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX serving end to end: the committed scikit-learn examples ({@code
 * examples/sklearn_forecaster}: Ridge as MatMul+Add in FP32 and FP64, gradient boosting as
 * TreeEnsembleRegressor, a random-forest classifier as TreeEnsembleClassifier with INT64 labels
 * and tensor probabilities) registered with {@code mlctl --store DIR register --artifact
 * .../model.onnx} (format detected from the file's content; {@code model.json} and {@code
 * examples.json} beside it; the engine validates each at registration), served by one real
 * server (the real engines, gRPC on a loopback Netty port, the REST gateway) beside the
 * TorchScript demo. Every answer must equal scikit-learn's own outputs, committed as the
 * examples' golden outputs: labels exactly, values within the file's tolerance (1e-5, relative
 * above 1; 1e-9 for FP64). One MLP exported twice ({@code examples/mlp_heavy}, TorchScript and
 * ONNX) answers torch's outputs through both engines. A hot reload between two ONNX versions under concurrent gRPC and REST
 * load loses no request.
 */
class OnnxServingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** example directory -> the model it is registered as. */
  private static final Map<String, String> ONNX = Map.of("linear", "price_linear",
      "linear_fp64", "price_linear_fp64", "gbm", "price_gbm", "regime", "price_regime");
  private static final long AWAIT_SECONDS = 60;

  @TempDir static Path dir;
  private static ServerFixture fx;
  private static HttpGateway gateway;
  private static int httpPort;
  private static ManagedChannel channel;
  private static final List<String> registrations = new ArrayList<>();
  private static final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  static Path sklearn(String example) {
    return DemoModel.repoRoot().resolve("examples/sklearn_forecaster").resolve(example);
  }

  static Path mlp(String format) {
    return DemoModel.repoRoot().resolve("examples/mlp_heavy").resolve(format);
  }

  @BeforeAll
  static void start() throws Exception {
    for (Map.Entry<String, String> e : ONNX.entrySet()) {
      register(e.getValue(), "1.0.0", sklearn(e.getKey()).resolve("model.onnx"), true);
    }
    register("curve_forecaster", "1.0.0", DemoModel.dir().resolve("model.pt"), true);
    // One MLP exported twice (examples/mlp_heavy): TorchScript and ONNX must both give torch's.
    register("mlp_heavy_ts", "1.0.0", mlp("torchscript").resolve("model.pt"), true);
    register("mlp_heavy_onnx", "1.0.0", mlp("onnx").resolve("model.onnx"), true);
    // Two ONNX versions of one model for the reload: Ridge in Production, the GBM staged.
    register("price_reload", "1.0.0", sklearn("linear").resolve("model.onnx"), true);
    register("price_reload", "2.0.0", sklearn("gbm").resolve("model.onnx"), false);
    fx = ServerFixture.loopback(dir, true);
    assertEquals(List.of(), fx.server.start());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build()).build();
    httpPort = gateway.start();
    channel = fx.loopbackChannel();
  }

  /** As an operator would: {@code mlctl --store DIR register --artifact FILE}, then promote. */
  private static void register(String model, String version, Path artifact, boolean promote) {
    StoreMlctl.Result r = StoreMlctl.run(dir, "register", "--model", model, "--version", version,
        "--artifact", artifact.toString());
    assertEquals(0, r.code(), model + ": " + r.err() + r.out());
    registrations.add(r.out());
    if (promote) {
      StoreMlctl.Result p = StoreMlctl.run(dir, "promote", "--model", model, "--version",
          version, "--stage", "Production");
      assertEquals(0, p.code(), model + ": " + p.err());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    // closed in reverse: the channel, then the gateway, then the server (nulls are skipped)
    try (ServerFixture server = fx; HttpGateway rest = gateway) {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void registrationDetectsOnnxFromTheFileAndValidatesWithTheEngine() {
    for (String model : ONNX.values()) {
      assertEquals("onnx", fx.store.manifest(model, "1.0.0").format(), model);
      assertEquals("onnxruntime_onnx", fx.store.manifest(model, "1.0.0").platform(), model);
    }
    assertEquals("torchscript", fx.store.manifest("curve_forecaster", "1.0.0").format());
    for (String out : registrations) {
      assertTrue(out.contains("validation: engine"), out);
    }
  }

  @Test
  void grpcAnswersEqualScikitLearnsBesideTheTorchScriptDemo() throws Exception {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    for (Map.Entry<String, String> e : ONNX.entrySet()) {
      Golden g = Golden.read(sklearn(e.getKey()), fx.store.manifest(e.getValue(), "1.0.0"));
      ModelInferResponse r = stub.modelInfer(g.grpcRequest(e.getValue()));
      assertEquals("1.0.0", r.getModelVersion());
      assertEquals(g.outputs().size(), r.getOutputsCount(), e.getValue());
      for (int i = 0; i < r.getOutputsCount(); i++) {
        g.check(e.getValue(), r.getOutputs(i).getName(), r.getOutputs(i).getDatatype(),
            GrpcOutputs.values(r, i));
      }
    }
    Golden demo = Golden.read(DemoModel.dir(), fx.store.manifest("curve_forecaster", "1.0.0"));
    ModelInferResponse r = stub.modelInfer(demo.grpcRequest("curve_forecaster"));
    InferOutputTensor out = r.getOutputs(0);
    demo.check("curve_forecaster", out.getName(), out.getDatatype(), GrpcOutputs.values(r, 0));
  }

  @Test
  void oneMlpServedByBothEnginesAnswersAsTorch() throws Exception {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    for (String format : List.of("torchscript", "onnx")) {
      String model = format.equals("onnx") ? "mlp_heavy_onnx" : "mlp_heavy_ts";
      Golden g = Golden.read(mlp(format), fx.store.manifest(model, "1.0.0"));
      ModelInferResponse r = stub.modelInfer(g.grpcRequest(model));
      g.check(model, r.getOutputs(0).getName(), r.getOutputs(0).getDatatype(),
          GrpcOutputs.values(r, 0));
    }
  }

  @Test
  void restAnswersEqualScikitLearns() throws Exception {
    for (Map.Entry<String, String> e : ONNX.entrySet()) {
      Golden g = Golden.read(sklearn(e.getKey()), fx.store.manifest(e.getValue(), "1.0.0"));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + httpPort + "/v2/models/" + e.getValue() + "/infer"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(g.restBody())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), e.getValue() + ": " + r.body());
      JsonNode outputs = JSON.readTree(r.body()).get("outputs");
      assertEquals(g.outputs().size(), outputs.size(), r.body());
      for (JsonNode o : outputs) {
        g.check(e.getValue(), o.get("name").asText(), o.get("datatype").asText(),
            Golden.flatten(o.get("data")));
      }
    }
  }

  @Test
  void metadataComesFromTheOnnxManifest() {
    ModelMetadataResponse md = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .modelMetadata(ModelMetadataRequest.newBuilder().setName("price_regime").build());
    assertEquals("onnxruntime_onnx", md.getPlatform());
    assertEquals("prices", md.getInputs(0).getName());
    assertEquals(List.of(-1L, 24L), md.getInputs(0).getShapeList());
    assertEquals("label", md.getOutputs(0).getName());
    assertEquals("INT64", md.getOutputs(0).getDatatype());
    assertEquals("probabilities", md.getOutputs(1).getName());
    assertEquals(List.of(-1L, 3L), md.getOutputs(1).getShapeList());
  }

  @Test
  void hotReloadBetweenOnnxVersionsUnderLoadLosesNoRequest() throws Exception {
    Golden linear = Golden.read(sklearn("linear"), fx.store.manifest("price_reload", "1.0.0"));
    try (UnversionedLoad load = UnversionedLoad.start("price_reload", "prices",
        linear.inputRows(), channel, 3, httpPort, 1, 200_000)) {
      await("answers from 1.0.0 before the promotion", () -> load.answeredBy("1.0.0"), 50);
      fx.registry.promote("price_reload", "2.0.0", Stage.PRODUCTION, "test", "reload under load");
      await("answers from 2.0.0 after the promotion", () -> load.answeredBy("2.0.0"), 200);
      UnversionedLoad.Summary s = load.stop();
      assertEquals(0, s.failed(), s.toString());
      assertTrue(s.versions().get("1.0.0") > 0 && s.versions().get("2.0.0") > 0, s.toString());
    }
    // The new version is the gradient boosting model: its answers are scikit-learn's GBM's.
    Golden gbm = Golden.read(sklearn("gbm"), fx.store.manifest("price_reload", "2.0.0"));
    ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(gbm.grpcRequest("price_reload"));
    assertEquals("2.0.0", r.getModelVersion());
    gbm.check("price_reload", "price", r.getOutputs(0).getDatatype(), GrpcOutputs.values(r, 0));
  }

  /** Polls until {@code count} reaches {@code atLeast}; fails after AWAIT_SECONDS. */
  private static void await(String what, LongSupplier count, long atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (count.getAsLong() < atLeast) {
      if (System.nanoTime() > deadline) {
        fail("no " + atLeast + " " + what + " within " + AWAIT_SECONDS + " s (saw "
            + count.getAsLong() + ")");
      }
      Thread.sleep(20);
    }
  }
}
