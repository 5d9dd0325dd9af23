package io.mlserve.server.grpc;

import io.mlserve.proto.serving.v1.AbArm;
import io.mlserve.proto.serving.v1.AbComparison;
import io.mlserve.proto.serving.v1.AbOutcome;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.proto.serving.v1.MetricValue;
import io.mlserve.server.experiment.AbReport;
import io.mlserve.server.experiment.AbWindow;
import io.mlserve.server.experiment.FeedbackResult;
import io.mlserve.server.experiment.Metric;

/**
 * The experiment results as the {@code mlserve.serving.v1} messages: what the gRPC service
 * answers, and what the REST routes render with
 * {@link io.mlserve.registry.grpc.ExperimentsJsonFormat} so that both say the same thing. A
 * null value becomes an unset optional field. Stateless; thread-safe.
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

}
