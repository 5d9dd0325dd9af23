package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.AbArm;
import io.mlserve.proto.serving.v1.AbReportRequest;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.AbWindow;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlctl ab report} against a stand-in of the server's Experiments service (the real
 * service lives in the server module, whose tests run mlctl against it).
 */
class MlctlAbTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  /** Answers a fixed report for model "m", NOT_FOUND for others. */
  private static final class Reports extends ExperimentsGrpc.ExperimentsImplBase {
    final AbReportResponse answer;

    Reports(AbReportResponse answer) {
      this.answer = answer;
    }

    @Override
    public void abReport(AbReportRequest req, StreamObserver<AbReportResponse> obs) {
      if (!req.getModel().equals("m")) {
        obs.onError(Status.NOT_FOUND.withDescription("model '" + req.getModel()
            + "' not found").asRuntimeException());
        return;
      }
      obs.onNext(answer);
      obs.onCompleted();
    }
  }

  private static Mlctl.Result against(AbReportResponse answer, String... args)
      throws Exception {
    return Mlctl.against(new Reports(answer), args);
  }

  @Test
  void needsAServer() {
    Mlctl.Result r = Mlctl.run("--store", tmp.toString(), "ab", "report", "--model", "m");
    assertEquals(1, r.code());
    assertEquals("mlctl: ab report reads a running server's record of requests and feedback:"
        + " give --server HOST:PORT", r.err().trim());
  }

  @Test
  void saysWhenThereIsNoSplit() throws Exception {
    Mlctl.Result r = against(AbReportResponse.newBuilder().setModel("m").build(),
        "ab", "report", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("model m: no traffic split has routed requests since the server started",
        r.out().trim());
    r = against(AbReportResponse.newBuilder().setModel("m").build(),
        "--output", "json", "ab", "report", "--model", "m");
    JsonNode j = JSON.readTree(r.out());
    assertTrue(j.get("current").isNull() && j.get("previous").isNull(), r.out());
  }

  @Test
  void absentValuesAreDashesInTablesAndNullInJson() throws Exception {
    AbReportResponse answer = AbReportResponse.newBuilder().setModel("m")
        .setCurrent(AbWindow.newBuilder().setStartedAtMs(1000).setBaseline("1.0.0")
            .setMinOutcomes(30).setVerdict("not significant yet: one arm only, nothing to"
                + " compare")
            .addArms(AbArm.newBuilder().setVersion("1.0.0"))).build();
    Mlctl.Result r = against(answer, "ab", "report", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("1.0.0 *  -       0         0       -           -       -"),
        r.out());
    assertTrue(r.out().trim().endsWith(
        "verdict: not significant yet: one arm only, nothing to compare"), r.out());
    r = against(answer, "--output", "json", "ab", "report", "--model", "m");
    JsonNode arm = JSON.readTree(r.out()).at("/current/arms/0");
    assertTrue(arm.get("weight").isNull() && arm.get("error_rate").isNull()
        && arm.at("/latency_ms/p50").isNull(), arm.toString());
    assertTrue(JSON.readTree(r.out()).at("/current/ended_at_ms").isNull());
  }

  @Test
  void serverRefusalsArePrinted() throws Exception {
    Mlctl.Result r = against(AbReportResponse.getDefaultInstance(),
        "ab", "report", "--model", "x");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'x' not found", r.err().trim());
  }
}
