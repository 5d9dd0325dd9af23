package io.mlserve.approval;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The gates' verdict on one evaluation: PASSED when no bound failed (skipped ones do not fail
 * it), with one result per bound in policy order. Immutable.
 */
public record GateReport(Verdict verdict, List<GateResult> results) {
  public GateReport {
    results = List.copyOf(results);
  }

  /** The failing bounds in words with their numbers, {@code "; "}-separated ("" if none). */
  public String failures() {
    return results.stream().filter(GateResult::failed).map(GateResult::reason)
        .collect(Collectors.joining("; "));
  }
}
