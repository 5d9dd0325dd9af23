package io.mlserve.server.grpc;

import io.mlserve.proto.serving.v1.FeatureDrift;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.proto.serving.v1.PerformanceDrift;
import io.mlserve.proto.serving.v1.VersionDrift;
import io.mlserve.server.drift.DriftReport;
import java.util.List;

/**
 * {@link DriftReport} as the {@code mlserve.serving.v1.Drift} messages (which the REST route
 * writes as JSON too). A figure that is not a number (nothing compared) is left unset; a
 * feature's PSI and KS always have a value. Stateless; thread-safe.
 */
public final class DriftProtos {
  private DriftProtos() {}

  public static GetDriftResponse report(DriftReport r) {
    GetDriftResponse.Builder b = GetDriftResponse.newBuilder().setModel(r.model());
    if (r.note() != null) {
      b.setNote(r.note());
    }
    r.versions().forEach(v -> b.addVersions(version(v)));
    return b.build();
  }

  private static VersionDrift version(DriftReport.VersionDrift v) {
    VersionDrift.Builder b = VersionDrift.newBuilder().setVersion(v.version())
        .setReferenceRows(v.referenceRows()).setReferenceLive(v.referenceLive())
        .setOutputsLive(v.outputsLive()).setWindowRows(v.windowRows())
        .setWindowCapacity(v.windowCapacity()).setSampledRows(v.sampledRows())
        .setCompared(v.compared()).setPsiThreshold(v.psiThreshold()).setStatus(v.status());
    if (v.referenceSource() != null) {
      b.setReferenceSource(v.referenceSource());
    }
    if (v.computedAtMillis() > 0) {
      b.setComputedAtMs(v.computedAtMillis());
    }
    if (Double.isFinite(v.driftedShare())) {
      b.setDriftedShare(v.driftedShare());
    }
    if (Double.isFinite(v.maxFeaturePsi())) {
      b.setFeaturePsiMax(v.maxFeaturePsi());
    }
    if (Double.isFinite(v.maxFeatureKs())) {
      b.setFeatureKsMax(v.maxFeatureKs());
    }
    if (Double.isFinite(v.maxPredictionPsi())) {
      b.setPredictionPsiMax(v.maxPredictionPsi());
    }
    features(v.features(), b::addFeatures);
    features(v.outputs(), b::addOutputs);
    DriftReport.Performance p = v.performance();
    if (p != null) {
      PerformanceDrift.Builder pb = PerformanceDrift.newBuilder().setMetric(p.metric())
          .setLive(p.live()).setOutcomes(p.outcomes());
      if (Double.isFinite(p.evaluated())) {
        pb.setEvaluated(p.evaluated());
      }
      if (p.evaluationId() != null) {
        pb.setEvaluationId(p.evaluationId());
      }
      if (Double.isFinite(p.drift())) {
        pb.setDrift(p.drift());
      }
      b.setPerformance(pb);
    }
    return b.build();
  }

  private static void features(List<DriftReport.FeatureDrift> fs,
      java.util.function.Consumer<FeatureDrift> add) {
    for (DriftReport.FeatureDrift f : fs) {
      add.accept(FeatureDrift.newBuilder().setName(f.name()).setPsi(f.psi()).setKs(f.ks())
          .setDrifted(f.drifted()).setRows(f.rows()).setMissing(f.missing())
          .setLiveMean(f.liveMean()).setReferenceMean(f.referenceMean()).build());
    }
  }
}
