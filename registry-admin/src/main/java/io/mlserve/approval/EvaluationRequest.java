package io.mlserve.approval;

import java.util.List;

/**
 * What {@code beginEvaluation} answers: whether the version should be evaluated (the model has a
 * policy), on which datasets, and against which baseline. Immutable.
 *
 * @param wanted false when the model has no policy (nothing was written; promote as before)
 * @param model the model
 * @param version the candidate
 * @param datasets the policy's datasets (empty when not wanted)
 * @param baselineVersion the current Production version to compare with, or null (none: relative
 *     gates are skipped)
 */
public record EvaluationRequest(boolean wanted, String model, String version,
    List<String> datasets, String baselineVersion) {
  public EvaluationRequest {
    datasets = List.copyOf(datasets);
  }
}
