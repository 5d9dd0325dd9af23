package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.DriftGrpc;
import io.mlserve.proto.serving.v1.FeatureDrift;
import io.mlserve.proto.serving.v1.GetDriftRequest;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.proto.serving.v1.PerformanceDrift;
import io.mlserve.proto.serving.v1.VersionDrift;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code mlctl drift} against a stand-in of the server's Drift service (the real one is in the
 * server module, whose DriftReportGrpcTest runs mlctl against it).
 */
class MlctlDriftTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Answers a fixed report for model "m" (the version asked for echoed), NOT_FOUND for others. */
  private static final class Stub extends DriftGrpc.DriftImplBase {
    @Override
    public void getDrift(GetDriftRequest req, StreamObserver<GetDriftResponse> obs) {
      if (!req.getModel().equals("m")) {
        obs.onError(Status.NOT_FOUND.withDescription("model '" + req.getModel()
            + "' is not served by this server").asRuntimeException());
        return;
      }
      obs.onNext(GetDriftResponse.newBuilder().setModel("m").addVersions(VersionDrift.newBuilder()
          .setVersion(req.hasVersion() ? req.getVersion() : "1.2.0")
          .setReferenceSource("dataset:train@abc").setReferenceRows(1000)
          .setWindowRows(400).setWindowCapacity(1000).setSampledRows(400)
          .setComputedAtMs(1_764_460_800_000L).setCompared(true).setDriftedShare(0.5)
          .setFeaturePsiMax(0.9).setFeatureKsMax(0.4).setPredictionPsiMax(0.3)
          .setPsiThreshold(0.2)
          .addFeatures(feature("x[0]", 0.05, 0.02, false))
          .addFeatures(feature("x[1]", 0.9, 0.4, true))
          .addOutputs(feature("y", 0.3, 0.2, true))
          .setPerformance(PerformanceDrift.newBuilder().setMetric("rmse").setLive(1.25)
              .setOutcomes(50).setEvaluated(1.0).setEvaluationId("e1").setDrift(0.25))
          .setStatus("compared 400 live rows with 2 input and 1 output features")).build());
      obs.onCompleted();
    }

    private static FeatureDrift feature(String name, double psi, double ks, boolean drifted) {
      return FeatureDrift.newBuilder().setName(name).setPsi(psi).setKs(ks).setDrifted(drifted)
          .setRows(400).setLiveMean(1.5).setReferenceMean(1).build();
    }
  }

  @Test
  void needsAServer() {
    Mlctl.Result r = Mlctl.run("drift", "--model", "m");
    assertEquals(1, r.code());
    assertEquals("mlctl: drift reads a running server's sampled requests: give --server"
        + " HOST:PORT", r.err().strip());
  }

  @Test
  void printsTheFeaturesByPsiAndTheJson() throws Exception {
    Mlctl.Result r = Mlctl.against(new Stub(), "drift", "--model", "m", "--version", "1.2.0");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(
        "model m 1.2.0: reference dataset:train@abc (1000 rows), window 400 of 1000 rows (400"
            + " sampled), computed 2025-11-30T00:00:00Z",
        "drifted features 50% (PSI > 0.2); max PSI 0.9, max KS 0.4; prediction max PSI 0.3",
        "performance: live rmse 1.25 over 50 outcomes, evaluated 1 (e1), drift 25%",
        "status: compared 400 live rows with 2 input and 1 output features",
        "FEATURE  SIDE    PSI   KS    DRIFTED  LIVE MEAN  REF MEAN",
        "x[1]     input   0.9   0.4   yes      1.5        1",
        "y        output  0.3   0.2   yes      1.5        1",
        "x[0]     input   0.05  0.02  no       1.5        1"), r.out().lines().toList());

    r = Mlctl.against(new Stub(), "--output", "json", "drift", "--model", "m");
    assertEquals(0, r.code(), r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals("1.2.0", j.at("/versions/0/version").asText());
    assertEquals(0.5, j.at("/versions/0/drifted_share").asDouble());
    assertEquals("x[1]", j.at("/versions/0/features/1/name").asText());
    assertEquals(0.25, j.at("/versions/0/performance/drift").asDouble());
    assertTrue(j.get("note").isNull());

    r = Mlctl.against(new Stub(), "drift", "--model", "x");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'x' is not served by this server", r.err().strip());
  }
}
