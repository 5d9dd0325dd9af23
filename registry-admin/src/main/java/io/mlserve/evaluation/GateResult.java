package io.mlserve.evaluation;

import java.util.Objects;

/**
 * The outcome of one promotion gate applied to an evaluation. Gates themselves (their
 * definition and how they are checked) live with the approval policy; this record is what the
 * evaluation result keeps of them.
 *
 * @param metric the metric the gate reads (e.g. {@code rmse}, {@code latency_p95_ms})
 * @param rule the gate as written, for people (e.g. {@code <= 1.00 x baseline})
 * @param actual the value checked, or null when it was missing
 * @param bound the bound it was checked against, or null
 * @param outcome whether it passed
 * @param detail a sentence explaining the outcome
 */
public record GateResult(String metric, String rule, Double actual, Double bound,
    Verdict.Outcome outcome, String detail) {
  public GateResult {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
  }
}
