package io.mlserve.server.drift;

import java.util.List;
import java.util.Objects;

/**
 * A model's drift as this server last computed it: per served version the reference, the
 * window, every feature's PSI and KS, prediction drift, performance drift and a status line.
 * What {@code GET /api/v1/models/{m}/drift}, the gRPC {@code mlserve.serving.v1.Drift/GetDrift}
 * and {@code mlctl drift} show. Immutable.
 *
 * @param model the model
 * @param versions its versions that answered requests on this server, by version
 * @param note why there is nothing to show (drift off, no answers yet), or null
 */
public record DriftReport(String model, List<VersionDrift> versions, String note) {
  public DriftReport {
    Objects.requireNonNull(model, "model");
    versions = List.copyOf(versions);
  }

  /**
   * One feature (an input or output value of a row) compared with its reference.
   *
   * @param psi population stability index against the reference's bins
   * @param ks Kolmogorov–Smirnov statistic against the reference's quantiles
   * @param drifted whether {@code psi} is above the threshold
   * @param rows finite live values compared
   * @param missing live values that were NaN or infinite (not compared)
   * @param liveMean the mean of the finite live values
   * @param referenceMean the reference's mean
   */
  public record FeatureDrift(String name, double psi, double ks, boolean drifted, long rows,
      long missing, double liveMean, double referenceMean) {}

  /**
   * Live error from outcome feedback against the version's evaluated error.
   *
   * @param metric {@code rmse}, {@code mae} or {@code accuracy} (compared as error, 1 − accuracy)
   * @param live the metric over the recent outcomes
   * @param outcomes the outcomes behind {@code live}
   * @param evaluated the metric of the version's latest stored evaluation; NaN when none
   * @param evaluationId that evaluation's id, or null
   * @param drift live error over evaluated error, minus 1; NaN without an evaluated error
   */
  public record Performance(String metric, double live, long outcomes, double evaluated,
      String evaluationId, double drift) {}

  /**
   * One served version's latest comparison.
   *
   * @param referenceSource where the reference came from ({@code dataset:..}, {@code run:..},
   *     {@code live}), null while there is none
   * @param referenceRows rows behind the reference (0 while there is none)
   * @param referenceLive whether the input reference is the first live rows
   * @param outputsLive whether the output reference is the first live rows
   * @param windowRows live rows compared
   * @param windowCapacity rows the window holds at most
   * @param sampledRows rows sampled since the version started serving here
   * @param computedAtMillis when the window was compared; 0 when it never was
   * @param compared whether the latest pass compared the window (else {@code status} says why)
   * @param driftedShare share of compared input features above the PSI threshold
   * @param maxFeaturePsi the largest input PSI (NaN when none was compared)
   * @param maxFeatureKs the largest input KS statistic (NaN when none)
   * @param maxPredictionPsi the largest output PSI (NaN when the outputs have no reference)
   * @param psiThreshold the threshold a drifted feature exceeds
   * @param features every compared input feature, in signature order
   * @param outputs every compared output feature, in signature order
   * @param performance performance drift, or null without outcome feedback
   * @param status one line for people: what was compared, or why not
   */
  public record VersionDrift(String version, String referenceSource, long referenceRows,
      boolean referenceLive, boolean outputsLive, int windowRows, int windowCapacity,
      long sampledRows, long computedAtMillis, boolean compared, double driftedShare,
      double maxFeaturePsi, double maxFeatureKs, double maxPredictionPsi, double psiThreshold,
      List<FeatureDrift> features, List<FeatureDrift> outputs, Performance performance,
      String status) {
    public VersionDrift {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(status, "status");
      features = List.copyOf(features);
      outputs = List.copyOf(outputs);
    }

    /** The figures alert rules read. */
    DriftSnapshot snapshot(String model) {
      return new DriftSnapshot(model, version, computedAtMillis, windowRows, referenceLive,
          driftedShare, maxFeaturePsi, maxFeatureKs, maxPredictionPsi,
          performance == null ? Double.NaN : performance.drift());
    }
  }
}
