package io.mlserve.server.grpc;

import io.mlserve.proto.serving.v1.AbArm;
import io.mlserve.proto.serving.v1.AbComparison;
import io.mlserve.proto.serving.v1.AbOutcome;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.proto.serving.v1.MetricValue;
import io.mlserve.proto.serving.v1.ShadowExample;
import io.mlserve.proto.serving.v1.ShadowOutput;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.proto.serving.v1.TensorPreview;
import io.mlserve.server.experiment.AbReport;
import io.mlserve.server.experiment.AbWindow;
import io.mlserve.server.experiment.FeedbackResult;
import io.mlserve.server.experiment.Metric;
import io.mlserve.server.shadow.ShadowReport;
import java.util.List;

/**
 * The experiment results as the {@code mlserve.serving.v1} messages: what the gRPC service
 * answers, and what the REST routes render with
 * {@link io.mlserve.registry.grpc.ExperimentsJsonFormat} (the shadow report with
 * {@link io.mlserve.registry.grpc.ShadowJsonFormat}) so that both say the same thing. A null
 * value becomes an unset optional field. Stateless; thread-safe.
 */
public final class ExperimentProtos {
  private ExperimentProtos() {}

  public static FeedbackResponse feedback(FeedbackResult r) {
    FeedbackResponse.Builder b = FeedbackResponse.newBuilder().setModel(r.model())
        .setRequestId(r.requestId()).setVersion(r.version()).setCounted(r.counted());
    for (Metric m : Metric.values()) {
      Double v = r.outcomes().get(m);
      if (v != null) {
        b.addOutcomes(MetricValue.newBuilder().setMetric(m.wireName()).setValue(v));
      }
    }
    if (r.window() != null) {
      b.setWindow(r.window());
    }
    if (r.splitId() != null) {
      b.setSplitId(r.splitId());
    }
    if (r.note() != null) {
      b.setNote(r.note());
    }
    return b.build();
  }

  public static AbReportResponse report(AbReport r) {
    AbReportResponse.Builder b = AbReportResponse.newBuilder().setModel(r.model());
    if (r.current() != null) {
      b.setCurrent(window(r.current()));
    }
    if (r.previous() != null) {
      b.setPrevious(window(r.previous()));
    }
    return b.build();
  }

  private static io.mlserve.proto.serving.v1.AbWindow window(AbWindow w) {
    var b = io.mlserve.proto.serving.v1.AbWindow.newBuilder()
        .putAllWeights(w.weights()).setStartedAtMs(w.startedAtMillis())
        .setMinOutcomes(w.minOutcomes()).setVerdict(w.verdict())
        .setUntrackedRequests(w.untrackedRequests());
    if (w.splitId() != null) {
      b.setSplitId(w.splitId());
    }
    if (w.endedAtMillis() != null) {
      b.setEndedAtMs(w.endedAtMillis());
    }
    if (w.baseline() != null) {
      b.setBaseline(w.baseline());
    }
    for (AbWindow.Arm a : w.arms()) {
      b.addArms(arm(a));
    }
    for (AbWindow.Comparison c : w.comparisons()) {
      AbComparison.Builder cb = AbComparison.newBuilder().setVersion(c.version())
          .setBaseline(c.baseline()).setMetric(c.metric().wireName()).setN(c.n())
          .setBaselineN(c.baselineN()).setDifference(c.difference())
          .setSignificant(c.significant()).setVerdict(c.verdict());
      if (c.pValue() != null) {
        cb.setPValue(c.pValue());
      }
      b.addComparisons(cb);
    }
    return b.build();
  }

  private static AbArm arm(AbWindow.Arm a) {
    AbArm.Builder b = AbArm.newBuilder().setVersion(a.version()).setRequests(a.requests())
        .setErrors(a.errors());
    if (a.weight() != null) {
      b.setWeight(a.weight());
    }
    if (a.errorRate() != null) {
      b.setErrorRate(a.errorRate());
    }
    if (a.p50Ms() != null) {
      b.setP50Ms(a.p50Ms()).setP95Ms(a.p95Ms()).setP99Ms(a.p99Ms());
    }
    for (AbWindow.Outcome o : a.outcomes()) {
      AbOutcome.Builder ob = AbOutcome.newBuilder().setMetric(o.metric().wireName())
          .setN(o.n()).setValue(o.value());
      if (o.ciLow() != null) {
        ob.setCiLow(o.ciLow()).setCiHigh(o.ciHigh());
      }
      b.addOutcomes(ob);
    }
    return b.build();
  }

  /** A shadow report; a null figure (nothing measured yet) becomes an unset field. */
  public static ShadowReportResponse shadowReport(ShadowReport r) {
    ShadowReportResponse.Builder b = ShadowReportResponse.newBuilder().setModel(r.model())
        .setVersion(r.version()).setSample(r.config().sample()).setAtol(r.config().atol())
        .setRtol(r.config().rtol()).setStartedAtMs(r.startedAtMillis())
        .setMirrored(r.mirrored()).setDropped(r.dropped()).setQueued(r.queued())
        .setCompared(r.compared()).setAgreed(r.agreed()).setErrors(r.errors())
        .setTimeouts(r.timeouts());
    if (r.agreementRatio() != null) {
      b.setAgreementRatio(r.agreementRatio());
    }
    if (r.errorRate() != null) {
      b.setErrorRate(r.errorRate());
    }
    if (r.p50Ms() != null) {
      b.setP50Ms(r.p50Ms());
    }
    if (r.p95Ms() != null) {
      b.setP95Ms(r.p95Ms());
    }
    if (r.p99Ms() != null) {
      b.setP99Ms(r.p99Ms());
    }
    for (ShadowReport.Output o : r.outputs()) {
      ShadowOutput.Builder ob = ShadowOutput.newBuilder().setName(o.name())
          .setRequests(o.requests()).setMismatched(o.mismatched()).setElements(o.elements());
      if (o.meanAbsDiff() != null) {
        ob.setMeanAbsDiff(o.meanAbsDiff());
      }
      if (o.maxAbsDiff() != null) {
        ob.setMaxAbsDiff(o.maxAbsDiff());
      }
      if (o.meanRelDiff() != null) {
        ob.setMeanRelDiff(o.meanRelDiff());
      }
      b.addOutputs(ob);
    }
    for (ShadowReport.Example e : r.worst()) {
      ShadowExample.Builder eb = ShadowExample.newBuilder()
          .setPrimaryVersion(e.primaryVersion()).setMaxAbsDiff(e.maxAbsDiff())
          .addAllInputs(previews(e.inputs())).addAllPrimary(previews(e.primary()))
          .addAllShadow(previews(e.shadow()));
      if (e.requestId() != null) {
        eb.setRequestId(e.requestId());
      }
      b.addWorst(eb);
    }
    return b.build();
  }

  private static List<TensorPreview> previews(List<ShadowReport.Preview> ps) {
    return ps.stream().map(p -> TensorPreview.newBuilder().setName(p.name())
        .setDatatype(p.datatype()).addAllShape(p.shape()).setElements(p.elements())
        .addAllValues(p.values()).build()).toList();
  }
}
