package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.serving.v1.AbReportRequest;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import io.mlserve.proto.serving.v1.FeedbackRequest;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.registry.grpc.ExperimentsJsonFormat;
import io.mlserve.server.experiment.ExperimentConfig;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeTicker;
import io.mlserve.server.testing.MlctlRun;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The experiments gRPC service over a real loopback server, and {@code mlctl ab report}
 * against it: the CLI's JSON is the service's report as {@link ExperimentsJsonFormat} writes
 * it (what the REST route answers too).
 */
class ExperimentsGrpcServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final Experiments experiments = new Experiments(ExperimentConfig.defaults(),
      new FakeTicker(), CLOCK);
  private final Shadows shadows = new Shadows(new FakeTicker(), CLOCK);
  private Server server;
  private ManagedChannel channel;
  private ExperimentsGrpc.ExperimentsBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new ExperimentsGrpcService(experiments, shadows)).build().start();
    channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(),
        InsecureChannelCredentials.create()).build();
    stub = ExperimentsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    shadows.close();
  }

  private void predict(String id, String version) {
    experiments.record("m", version, id, new Tensor[] {
        Tensor.ofFloats("y", new long[] {1, 2}, new float[] {1, 2})}, true, 2_000_000, null);
  }

  @Test
  void feedbackJoinsAndRefusalsCarryTheirStatus() {
    experiments.splitChanged("m", "7", Map.of("1.0.0", 90.0, "1.1.0", 10.0));
    predict("r1", "1.1.0");
    FeedbackResponse r = stub.feedback(FeedbackRequest.newBuilder().setModel("m")
        .setRequestId("r1").addAllLabel(List.of(2.0, 2.0)).build());
    assertEquals("1.1.0", r.getVersion());
    assertTrue(r.getCounted());
    assertEquals("current", r.getWindow());
    assertEquals("7", r.getSplitId());
    assertEquals("mae", r.getOutcomes(0).getMetric());
    assertEquals(0.5, r.getOutcomes(0).getValue(), 1e-12);

    StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
        () -> stub.feedback(FeedbackRequest.newBuilder().setModel("m").setRequestId("r1")
            .setReward(1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, again.getStatus().getCode());
    assertTrue(again.getStatus().getDescription().contains("already recorded"));
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
        () -> stub.feedback(FeedbackRequest.newBuilder().setModel("m").setRequestId("zz")
            .setReward(1).build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().startsWith(
        "no recent prediction has request id 'zz'"), unknown.getStatus().getDescription());
    StatusRuntimeException noModel = assertThrows(StatusRuntimeException.class,
        () -> stub.abReport(AbReportRequest.getDefaultInstance()));
    assertEquals(Status.Code.INVALID_ARGUMENT, noModel.getStatus().getCode());
  }

  @Test
  void mlctlAbReportShowsTheServersReport() throws Exception {
    experiments.splitChanged("m", "7", Map.of("1.0.0", 50.0, "1.1.0", 50.0));
    for (int i = 0; i < 40; i++) {
      predict("a" + i, "1.0.0");
      predict("b" + i, "1.1.0");
      stub.feedback(FeedbackRequest.newBuilder().setModel("m").setRequestId("a" + i)
          .setReward(1.0 + 0.1 * Math.sin(i)).build());
      stub.feedback(FeedbackRequest.newBuilder().setModel("m").setRequestId("b" + i)
          .setReward(1.2 + 0.1 * Math.cos(i)).build());
    }
    AbReportResponse report = stub.abReport(
        AbReportRequest.newBuilder().setModel("m").build());
    String verdict = report.getCurrent().getVerdict();
    assertTrue(verdict.startsWith("significant: 1.1.0 higher reward by 0.2"), verdict);

    String[] table = mlctl("ab", "report", "--model", "m").split("\n");
    assertTrue(table[0].startsWith("model m, split in force 7 (1.0.0=50,1.1.0=50), since"
        + " 2026-01-01T00:00:00Z"), table[0]);
    assertTrue(table[1].matches("VERSION\\s+WEIGHT\\s+REQUESTS\\s+ERRORS.*"), table[1]);
    assertTrue(table[2].matches("1\\.0\\.0 \\*\\s+50\\s+40\\s+0\\s+0%(\\s+2\\.0\\d*){3}"),
        table[2]);
    assertEquals("verdict: " + verdict, table[table.length - 1]);

    JsonNode cli = JSON.readTree(mlctl("--output", "json", "ab", "report", "--model", "m"));
    JsonNode direct = JSON.readTree(AdminJsonFormat.toString(g -> ExperimentsJsonFormat.report(
        g, ExperimentProtos.report(experiments.report("m"))), false));
    assertEquals(direct, cli);
    assertEquals(40, cli.at("/current/arms/1/outcomes/reward/n").asLong());
    assertTrue(cli.get("previous").isNull());
    assertEquals("1.0.0", cli.at("/current/baseline").asText());
  }

  private String mlctl(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--server";
    all[1] = "127.0.0.1:" + server.getPort();
    System.arraycopy(args, 0, all, 2, args.length);
    MlctlRun.Result r = MlctlRun.run(all);
    assertEquals(0, r.code(), r.err());
    return r.out();
  }
}
