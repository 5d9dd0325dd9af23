package io.mlserve.server.approval;

import io.mlserve.approval.GateReport;
import io.mlserve.approval.GateResult;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.LatencyStats;
import io.mlserve.evaluation.VersionResult;
import io.mlserve.evaluation.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Between an evaluation and the policy's gates: the metrics a gate may name, for the candidate
 * and the baseline (every metric of the evaluation, plus the latency of the engine calls as
 * {@code p50_ms}, {@code p95_ms}, {@code p99_ms}), and a gate report as the evaluation's
 * verdict. Stateless.
 */
final class GateMetrics {
  private GateMetrics() {}

  /** The candidate's metrics by name. */
  static Map<String, Double> candidate(Evaluation e) {
    return of(e.candidate());
  }

  /** The baseline's metrics by name, or null without a baseline. */
  static Map<String, Double> baseline(Evaluation e) {
    return e.baseline() == null ? null : of(e.baseline());
  }

  private static Map<String, Double> of(VersionResult r) {
    Map<String, Double> m = new LinkedHashMap<>();
    r.metrics().values().forEach((k, v) -> {
      if (v != null) {
        m.put(k, v);
      }
    });
    LatencyStats l = r.latency() == null ? null : r.latency().overall();
    if (l != null && l.calls() > 0) {
      m.put("p50_ms", l.p50Ms());
      m.put("p95_ms", l.p95Ms());
      m.put("p99_ms", l.p99Ms());
    }
    return m;
  }

  /** The report as the verdict stored with the evaluation. */
  static Verdict verdict(GateReport report) {
    List<io.mlserve.evaluation.GateResult> gates = new ArrayList<>();
    for (GateResult g : report.results()) {
      Verdict.Outcome o = switch (g.status()) {
        case PASSED -> Verdict.Outcome.PASS;
        case FAILED -> Verdict.Outcome.FAIL;
        case SKIPPED -> Verdict.Outcome.INCONCLUSIVE;
      };
      // The rule in words carries the bound (absolute, or relative to the baseline).
      gates.add(new io.mlserve.evaluation.GateResult(g.metric(), g.bound(), g.candidate(), null,
          o, g.reason()));
    }
    return new Verdict(report.verdict() == io.mlserve.approval.Verdict.PASSED
        ? Verdict.Outcome.PASS : Verdict.Outcome.FAIL, gates);
  }
}
