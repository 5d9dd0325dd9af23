package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.mlserve.evaluation.EvaluationJson;
import io.mlserve.proto.admin.v1.EvaluateProgress;
import io.mlserve.proto.admin.v1.EvaluateRequest;
import io.mlserve.proto.admin.v1.EvaluationsGrpc;
import io.mlserve.proto.admin.v1.GetEvaluationRequest;
import io.mlserve.proto.admin.v1.ListEvaluationsRequest;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.registry.cli.MlctlMain;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.evaluation.EvaluationFixture;
import io.mlserve.server.evaluation.EvaluationRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Evaluations gRPC service over loopback with the real engine (progress, then the stored
 * evaluation; the token rule), and mlctl evaluate / evaluations / evaluation show both against
 * that server ({@code --server}) and on the store directly ({@code --store}, where the engine
 * comes from the server's classpath through the EngineServices provider).
 */
@Timeout(180)
class EvaluationsGrpcServiceTest {
  private static final String MODEL = EvaluationFixture.MODEL;
  @TempDir Path dir;
  private EvaluationFixture f;
  private EvaluationRunner runner;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    f = new EvaluationFixture(dir);
    runner = f.runner(Ticker.system(), Duration.ofMinutes(5), 0);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(EvaluationsGrpcService.definition(runner, "tok")).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    runner.close();
    f.close();
  }

  private EvaluationsGrpc.EvaluationsBlockingStub stub(String token) {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(AdminAuth.AUTHORIZATION, "Bearer " + token);
    }
    md.put(AdminAuth.ACTOR, "carol");
    return EvaluationsGrpc.newBlockingStub(ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(md)));
  }

  @Test
  void evaluateStreamsProgressThenTheStoredEvaluation() {
    EvaluateRequest req = EvaluateRequest.newBuilder().setModel(MODEL).setVersion("2.0.0")
        .setDataset(EvaluationFixture.DATASET).setBatchSize(10).build();
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> stub(null).evaluate(req).hasNext());
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    assertThrows(StatusRuntimeException.class, () -> stub("wrong").evaluate(req).hasNext());
    assertTrue(runner.results().list(MODEL, "2.0.0", 10).isEmpty(), "refused: nothing ran");

    List<EvaluateProgress> msgs = new ArrayList<>();
    stub("tok").evaluate(req).forEachRemaining(msgs::add);
    EvaluateProgress last = msgs.get(msgs.size() - 1);
    assertTrue(last.hasEvaluation());
    assertEquals(6, msgs.size(), "a message per 10 rows (each a new percent), then the result");
    for (int i = 0; i < msgs.size() - 1; i++) {
      assertEquals(10L * (i + 1), msgs.get(i).getRowsDone());
      assertEquals(EvaluationFixture.ROWS, msgs.get(i).getTotalRows());
      assertFalse(msgs.get(i).hasEvaluation());
    }
    String id = last.getEvaluation().getId();
    var stored = runner.results().read(MODEL, "2.0.0", id);
    assertEquals("carol", stored.actor());
    assertEquals(new String(EvaluationJson.encode(stored), StandardCharsets.UTF_8),
        last.getEvaluation().getJson());

    // Reads are open.
    assertEquals(last.getEvaluation(), stub(null).getEvaluation(GetEvaluationRequest
        .newBuilder().setModel(MODEL).setVersion("2.0.0").setId(id).build()));
    assertEquals(id, stub(null).listEvaluations(ListEvaluationsRequest.newBuilder()
        .setModel(MODEL).setVersion("2.0.0").build()).getEvaluations(0).getId());
    StatusRuntimeException dataset = assertThrows(StatusRuntimeException.class,
        () -> stub("tok").evaluate(req.toBuilder().setDataset("nope").build()).hasNext());
    assertEquals(Status.Code.NOT_FOUND, dataset.getStatus().getCode());
    assertEquals("model 'curve_forecaster' has no dataset 'nope' (datasets: golden)",
        dataset.getStatus().getDescription());
  }

  /** Runs mlctl; returns exit code, stdout, stderr. */
  private static String[] mlctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = MlctlMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void mlctlEvaluatesOnTheStoreWithTheEngineAndListsAndShows() throws Exception {
    String store = dir.toString();
    String[] r = mlctl("--store", store, "--actor", "dave", "evaluate", "--model", MODEL,
        "--version", "2.0.0", "--dataset", "golden", "--batch-size", "10");
    assertEquals("0", r[0], r[2]);
    String id = runner.results().list(MODEL, "2.0.0", 1).get(0).id();
    assertTrue(r[1].contains("evaluation " + id + " of curve_forecaster:2.0.0 on dataset"
        + " 'golden' (50 rows"), r[1]);
    assertTrue(r[1].contains("baseline 1.0.0"), r[1]);
    assertTrue(r[1].lines().anyMatch(l -> l.startsWith("mae ")), r[1]);
    assertTrue(r[1].lines().anyMatch(l -> l.startsWith("latency")), r[1]);
    Path report = dir.resolve(MODEL).resolve("versions/2.0.0/evaluations/" + id + ".html");
    assertTrue(r[1].contains("report: " + report), r[1]);
    assertTrue(Files.isRegularFile(report));
    // Not a terminal: a line per 10 %.
    assertTrue(r[2].contains("curve_forecaster:2.0.0: 10 of 50 rows (20%)"), r[2]);
    assertTrue(r[2].contains("curve_forecaster:2.0.0: 50 of 50 rows (100%)"), r[2]);
    assertEquals("dave", runner.results().read(MODEL, "2.0.0", id).actor());

    String[] listed = mlctl("--store", store, "evaluations", "--model", MODEL, "--version",
        "2.0.0");
    assertEquals("0", listed[0], listed[2]);
    assertTrue(listed[1].startsWith("id "), listed[1]);
    assertTrue(listed[1].contains(id) && listed[1].contains("dave"), listed[1]);

    String[] shown = mlctl("--store", store, "--output", "json", "evaluation", "show",
        "--model", MODEL, "--version", "2.0.0", "--id", id);
    assertEquals("0", shown[0], shown[2]);
    assertEquals(Files.readString(report.resolveSibling(id + ".json")), shown[1]);

    String[] missing = mlctl("--store", store, "evaluate", "--model", MODEL, "--version",
        "2.0.0", "--dataset", "holdout");
    assertEquals("1", missing[0]);
    assertEquals("mlctl: NOT_FOUND: model 'curve_forecaster' has no dataset 'holdout'"
        + " (datasets: golden)\n", missing[2]);
  }

  @Test
  void mlctlEvaluatesOnAServerAndPrintsTheStoredJson() throws Exception {
    String target = "127.0.0.1:" + server.getPort();
    String[] denied = mlctl("--server", target, "evaluate", "--model", MODEL, "--version",
        "2.0.0", "--dataset", "golden");
    assertEquals("1", denied[0]);
    assertTrue(denied[2].startsWith("mlctl: UNAUTHENTICATED"), denied[2]);
    String[] r = mlctl("--server", target, "--token", "tok", "--output", "json", "evaluate",
        "--model", MODEL, "--version", "2.0.0", "--dataset", "golden", "--baseline", "none");
    assertEquals("0", r[0], r[2]);
    var e = runner.results().list(MODEL, "2.0.0", 1).get(0);
    assertEquals(null, e.baselineVersion());
    assertEquals(new String(EvaluationJson.encode(e), StandardCharsets.UTF_8), r[1]);
    String[] listed = mlctl("--server", target, "--output", "json", "evaluations", "--model",
        MODEL, "--version", "2.0.0");
    assertEquals("0", listed[0], listed[2]);
    assertEquals(new String(io.mlserve.evaluation.EvaluationListing.json(
        runner.results().list(MODEL, "2.0.0", 20)), StandardCharsets.UTF_8), listed[1]);
  }
}
