package io.mlserve.evaluation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The result of one offline evaluation: a candidate version (and optionally a baseline) run
 * over the same dataset, with every metric of each, the deltas, the latency of each, a bounded
 * sample of scored values for the report's plots, and the verdict that the approval workflow
 * attaches afterwards ({@link #withVerdict}; null until then). Stored as
 * {@code versions/<version>/evaluations/<id>.json} ({@link EvaluationJson}). Immutable.
 *
 * @param id unique, and sorting by id sorts by start time ({@link EvaluationIds})
 * @param model the model
 * @param version the candidate version
 * @param baselineVersion the baseline version, or null when there was none
 * @param dataset the dataset and its sha256
 * @param startedAt when the evaluation started
 * @param finishedAt when it finished
 * @param actor who ran it
 * @param kind regression or classification
 * @param candidate the candidate's metrics and latency
 * @param baseline the baseline's, or null
 * @param deltas per metric of the candidate, candidate − baseline; empty without a baseline
 * @param sample a bounded random sample of scored values (for plots)
 * @param verdict the approval policy's verdict, or null
 */
public record Evaluation(String id, String model, String version, String baselineVersion,
    DatasetRef dataset, Instant startedAt, Instant finishedAt, String actor, TaskKind kind,
    VersionResult candidate, VersionResult baseline, List<Delta> deltas,
    List<SamplePoint> sample, Verdict verdict) {
  public Evaluation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(candidate, "candidate");
    if ((baselineVersion == null) != (baseline == null)) {
      throw new IllegalArgumentException("a baseline version needs the baseline's result");
    }
    deltas = List.copyOf(deltas);
    sample = List.copyOf(sample);
  }

  /** This evaluation with {@code verdict} attached (replacing any earlier one). */
  public Evaluation withVerdict(Verdict verdict) {
    return new Evaluation(id, model, version, baselineVersion, dataset, startedAt, finishedAt,
        actor, kind, candidate, baseline, deltas, sample, Objects.requireNonNull(verdict,
        "verdict"));
  }
}
