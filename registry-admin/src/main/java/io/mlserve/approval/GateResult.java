package io.mlserve.approval;

/**
 * How one bound of one gate fared. Immutable.
 *
 * @param metric the gate's metric
 * @param bound the bound in words, e.g. {@code "rmse <= 1.0 x baseline"}
 * @param candidate the candidate's value, or null when the evaluation lacks the metric
 * @param baseline the baseline's value, or null (no baseline, or an absolute bound)
 * @param ratio candidate / baseline for a ratio bound (null if the baseline is 0 or absent)
 * @param delta candidate − baseline for a relative bound, else null
 * @param status passed, failed, or skipped (a relative bound with no Production baseline)
 * @param reason why, in words with the numbers
 */
public record GateResult(String metric, String bound, Double candidate, Double baseline,
    Double ratio, Double delta, Status status, String reason) {

  /** Whether the bound held. */
  public enum Status {
    PASSED, FAILED, SKIPPED
  }

  /** Whether this result fails the verdict. */
  public boolean failed() {
    return status == Status.FAILED;
  }
}
