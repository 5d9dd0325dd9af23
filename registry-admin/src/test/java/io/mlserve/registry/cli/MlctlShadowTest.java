package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import io.mlserve.proto.serving.v1.ShadowExample;
import io.mlserve.proto.serving.v1.ShadowOutput;
import io.mlserve.proto.serving.v1.ShadowReportRequest;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.proto.serving.v1.TensorPreview;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Shadow;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlctl shadow start|stop|status} on a store, and {@code mlctl shadow report} against a
 * stand-in of the server's Experiments service (the real one is in the server module, whose
 * ShadowReportGrpcTest runs mlctl against it).
 */
class MlctlShadowTest {
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
  void startStatusAndStopOnAStore() throws Exception {
    Mlctl.Result r = onStore("shadow", "status", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("m has no shadow", r.out().trim());

    r = onStore("shadow", "start", "--model", "m", "--version", "1.3.0", "--sample", "0.25",
        "--atol", "1e-3", "--rtol", "0.01", "--reason", "compare 1.3.0");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("m: shadow 1.3.0 started (sample 0.25, atol 0.001, rtol 0.01)", lines.get(0));
    assertTrue(lines.get(1).matches("started \\S+Z by tester: compare 1\\.3\\.0"), lines.get(1));
    Shadow rec = DeploymentStore.read(store, "m").orElseThrow().shadow();
    assertEquals("1.3.0", rec.version());
    assertEquals(0.25, rec.sample());
    assertEquals(1e-3, rec.atol());
    assertEquals(0.01, rec.rtol());

    r = onStore("shadow", "status", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("m: shadow 1.3.0 (sample 0.25, atol 0.001, rtol 0.01)\n"),
        r.out());
    r = onStore("--output", "json", "shadow", "status", "--model", "m");
    JsonNode j = JSON.readTree(r.out());
    assertEquals("1.3.0", j.at("/shadow/version").asText());
    assertEquals(rec.startedAt(), j.at("/shadow/started_at_ms").asLong());
    assertEquals("tester", j.at("/shadow/actor").asText());
    assertEquals("compare 1.3.0", j.get("reason").asText());

    r = onStore("shadow", "stop", "--model", "m", "--reason", "done");
    assertEquals(0, r.code(), r.err());
    assertEquals("m: shadow stopped; none runs now", r.out().trim());
    assertNull(DeploymentStore.read(store, "m").orElseThrow().shadow());
    r = onStore("--output", "json", "shadow", "stop", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertTrue(JSON.readTree(r.out()).get("shadow").isNull(), r.out());
    r = onStore("--output", "json", "events");
    assertEquals(2, r.out().lines().filter(l -> l.startsWith(
        "{\"event_type\":\"ml.model.shadow_changed.v1\"")).count(), r.out());
  }

  @Test
  void badRequestsSayWhatIsWrong() {
    Mlctl.Result r = onStore("shadow", "start", "--model", "m", "--version", "1.3.0",
        "--sample", "1.5");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: shadow sample must be in (0, 1], got 1.5",
        r.err().trim());
    r = onStore("shadow", "start", "--model", "m", "--version", "1.2.0");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: m:1.2.0 is the Production version; a shadow is"
        + " compared with Production, so it must be another version", r.err().trim());
    r = onStore("shadow", "start", "--model", "m", "--version", "1.3.0", "--sample", "lots");
    assertEquals(2, r.code(), "a usage error");
    assertTrue(r.err().contains("'lots' is not a double"), r.err());
    r = onStore("shadow", "status", "--model", "nope");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'nope' not found", r.err().trim());
    r = onStore("shadow", "report", "--model", "m");
    assertEquals(1, r.code());
    assertEquals("mlctl: shadow report reads a running server's record of mirrored requests:"
        + " give --server HOST:PORT", r.err().trim());
    assertTrue(DeploymentStore.read(store, "m").isEmpty());
  }

  /** Answers a fixed report for model "m", NOT_FOUND naming "m" for others. */
  private static final class Reports extends ExperimentsGrpc.ExperimentsImplBase {
    final ShadowReportResponse answer;

    Reports(ShadowReportResponse answer) {
      this.answer = answer;
    }

    @Override
    public void shadowReport(ShadowReportRequest req, StreamObserver<ShadowReportResponse> o) {
      if (!req.getModel().equals("m")) {
        o.onError(Status.NOT_FOUND.withDescription("model '" + req.getModel()
            + "' has no shadow (models with one: m)").asRuntimeException());
        return;
      }
      o.onNext(answer);
      o.onCompleted();
    }
  }

  private static TensorPreview preview(String name, double... values) {
    TensorPreview.Builder b = TensorPreview.newBuilder().setName(name).setDatatype("FP32")
        .addShape(1).addShape(2).setElements(2);
    for (double v : values) {
      b.addValues(v);
    }
    return b.build();
  }

  @Test
  void reportPrintsTheTablesAndTheJson() throws Exception {
    ShadowReportResponse answer = ShadowReportResponse.newBuilder().setModel("m")
        .setVersion("1.3.0").setSample(0.5).setAtol(1e-4).setRtol(1e-3)
        .setStartedAtMs(1_767_225_600_000L).setMirrored(40).setDropped(2).setQueued(1)
        .setCompared(36).setAgreed(27).setAgreementRatio(0.75).setErrors(2).setTimeouts(1)
        .setErrorRate(3.0 / 39).setP50Ms(1.23456).setP95Ms(4.5).setP99Ms(9.87654)
        .addOutputs(ShadowOutput.newBuilder().setName("y").setRequests(36).setMismatched(1)
            .setElements(70).setMeanAbsDiff(0.0123456).setMaxAbsDiff(0.5).setMeanRelDiff(0.002))
        .addOutputs(ShadowOutput.newBuilder().setName("z").setRequests(36).setMismatched(36))
        .addWorst(ShadowExample.newBuilder().setRequestId("r7").setPrimaryVersion("1.2.0")
            .setMaxAbsDiff(Double.POSITIVE_INFINITY).addInputs(preview("x", 1, 2))
            .addPrimary(preview("y", 3, 4)).addShadow(preview("y", 3.5, 4)))
        .addWorst(ShadowExample.newBuilder().setPrimaryVersion("1.2.0").setMaxAbsDiff(0.25)
            .addInputs(TensorPreview.newBuilder().setName("x").setDatatype("FP32").addShape(1)
                .addShape(20).setElements(20).addValues(1).addValues(2)))
        .build();
    Mlctl.Result r = Mlctl.against(new Reports(answer), "shadow", "report", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("""
        model m, shadow 1.3.0 (sample 0.5, atol 0.0001, rtol 0.001), since 2026-01-01T00:00:00Z
        mirrored 40, dropped 2, queued 1; compared 36, agreed 27 (agreement 75%); errors 2,\
         timeouts 1 (error rate 7.692%)
        shadow latency ms: p50 1.235, p95 4.5, p99 9.877
        OUTPUT  REQUESTS  MISMATCHED  ELEMENTS  MEAN ABS DIFF  MAX ABS DIFF  MEAN REL DIFF
        y       36        1           70        0.01235        0.5           0.002
        z       36        36          0         -              -             -
        worst-diverging requests, worst first:
        1. request r7 (answered by 1.2.0): max |diff| Infinity
           input x FP32 [1,2]: 1, 2
           primary y FP32 [1,2]: 3, 4
           shadow y FP32 [1,2]: 3.5, 4
        2. request - (answered by 1.2.0): max |diff| 0.25
           input x FP32 [1,20]: 1, 2, ... (20 values)
        """, r.out());

    r = Mlctl.against(new Reports(answer), "--output", "json", "shadow", "report", "--model",
        "m");
    assertEquals(0, r.code(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals(0.75, j.get("agreement_ratio").asDouble());
    assertEquals(9.87654, j.at("/latency_ms/p99").asDouble());
    assertTrue(j.at("/outputs/1/mean_abs_diff").isNull(), "absent is null: " + j);
    assertEquals("Infinity", j.at("/worst/0/max_abs_diff").asText());
    assertTrue(j.at("/worst/1/request_id").isNull(), j.toString());
    assertEquals("[1,20]", j.at("/worst/1/inputs/0/shape").toString());

    r = Mlctl.against(new Reports(answer), "shadow", "report", "--model", "x");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'x' has no shadow (models with one: m)",
        r.err().trim());
  }
}
