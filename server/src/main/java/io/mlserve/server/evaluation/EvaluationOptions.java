package io.mlserve.server.evaluation;

import io.mlserve.evaluation.CustomMetric;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationRequest;
import io.mlserve.evaluation.TaskKind;
import io.mlserve.evaluation.Verdict;
import java.util.List;
import java.util.function.Function;

/**
 * How an evaluation runs, beyond what and on which data: rows per engine call, the kind of
 * metrics (null chooses from the data), the output scored (null: the signature's first) and
 * custom business metrics (a policy's), and the judge that draws a verdict from the result
 * before it is stored (the approval policy's; null for none). Immutable.
 *
 * @param batchSize rows read and predicted per call, 1 to {@link EvaluationRequest#MAX_BATCH_SIZE}
 * @param kind regression, classification, or null for the automatic choice
 * @param outputName the model output scored, or null for the first
 * @param customMetrics custom metrics, possibly empty
 * @param judge the verdict of a completed evaluation, or null; it runs on the evaluating
 *     thread, before the result and its event are written, and must not throw
 */
public record EvaluationOptions(int batchSize, TaskKind kind, String outputName,
    List<CustomMetric> customMetrics, Function<Evaluation, Verdict> judge) {
  /** Rows per call unless asked otherwise: large enough that per-call costs vanish. */
  public static final int DEFAULT_BATCH_SIZE = 8192;

  public EvaluationOptions {
    if (batchSize < 1 || batchSize > EvaluationRequest.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("the batch size must be between 1 and "
          + EvaluationRequest.MAX_BATCH_SIZE + ", got " + batchSize);
    }
    if (outputName != null && outputName.isBlank()) {
      outputName = null;
    }
    customMetrics = List.copyOf(customMetrics);
  }

  /** The defaults: {@value #DEFAULT_BATCH_SIZE} rows a call, kind and output chosen. */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(DEFAULT_BATCH_SIZE, null, null, List.of(), null);
  }
}
