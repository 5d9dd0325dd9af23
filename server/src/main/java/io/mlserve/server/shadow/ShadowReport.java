package io.mlserve.server.shadow;

import java.util.List;

/**
 * What a model's shadow has done since it started: the copies mirrored to it and dropped, its
 * answers compared, its errors and timeouts, its own latency, and its divergence from the
 * primary per output. A value: immutable, safe to share.
 *
 * @param model the model whose answers are mirrored
 * @param version the shadow version
 * @param config how the shadow is fed and judged
 * @param startedAtMillis wall time the shadow (its window) started
 * @param mirrored copies accepted into the queue
 * @param dropped sampled copies dropped because the queue was full (count or bytes)
 * @param queued copies waiting now
 * @param compared shadow answers compared with the primary's
 * @param agreed compared requests whose outputs all agreed within the tolerances
 * @param errors copies the shadow refused or failed (counted, never returned to anyone)
 * @param timeouts copies the shadow did not answer within the deadline (cancelled)
 * @param p50Ms the shadow's median latency from submission, null before any answer
 * @param outputs divergence per output tensor, in signature order
 * @param worst the worst-diverging requests, worst first
 */
public record ShadowReport(String model, String version, ShadowConfig config,
    long startedAtMillis, long mirrored, long dropped, long queued, long compared, long agreed,
    long errors, long timeouts, Double p50Ms, Double p95Ms, Double p99Ms, List<Output> outputs,
    List<Example> worst) {
  public ShadowReport {
    outputs = List.copyOf(outputs);
    worst = List.copyOf(worst);
  }

  /** The fraction of compared requests whose outputs all agreed; null before any. */
  public Double agreementRatio() {
    return compared == 0 ? null : (double) agreed / compared;
  }

  /** Errors and timeouts over the copies that finished; null before any finished. */
  public Double errorRate() {
    long finished = compared + errors + timeouts;
    return finished == 0 ? null : (double) (errors + timeouts) / finished;
  }

  /**
   * One output's divergence.
   *
   * @param requests requests compared on this output
   * @param mismatched of those, the ones whose shadow output had another type or shape (or was
   *     missing): no element figures come from them
   * @param elements elements compared
   * @param meanAbsDiff mean of {@code |s - p|} over the elements; null when none
   * @param maxAbsDiff largest {@code |s - p|}; null when no element was compared
   * @param meanRelDiff mean of {@code |s - p| / |p|} over the elements where {@code p != 0};
   *     null when there were none
   */
  public record Output(String name, long requests, long mismatched, long elements,
      Double meanAbsDiff, Double maxAbsDiff, Double meanRelDiff) {}

  /**
   * One request on which the shadow diverged, with previews of what it saw and answered.
   *
   * @param maxAbsDiff the largest {@code |s - p|} over its outputs (Infinity for a mismatched
   *     output or a NaN difference)
   */
  public record Example(String requestId, String primaryVersion, double maxAbsDiff,
      List<Preview> inputs, List<Preview> primary, List<Preview> shadow) {
    public Example {
      inputs = List.copyOf(inputs);
      primary = List.copyOf(primary);
      shadow = List.copyOf(shadow);
    }
  }

  /**
   * The start of one tensor.
   *
   * @param elements the tensor's element count
   * @param values its first elements (at most a few)
   */
  public record Preview(String name, String datatype, List<Long> shape, long elements,
      List<Double> values) {
    public Preview {
      shape = List.copyOf(shape);
      values = List.copyOf(values);
    }
  }
}
