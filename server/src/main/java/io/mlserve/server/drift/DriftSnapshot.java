package io.mlserve.server.drift;

/**
 * The headline figures of a served version's latest drift computation: what alert rules read.
 * The full per-feature report is richer; this is the part other components depend on. Immutable.
 *
 * @param model the model
 * @param version the version
 * @param computedAtMillis when the window was compared, epoch milliseconds
 * @param windowRows live rows in the compared window
 * @param referenceLive whether the reference is the first live rows (no stored reference)
 * @param driftedShare share of input features whose PSI exceeds the feature threshold, 0..1
 * @param maxFeaturePsi the largest PSI of any input feature
 * @param maxFeatureKs the largest KS statistic of any input feature
 * @param maxPredictionPsi the largest PSI of any output feature (prediction drift); NaN when the
 *     outputs have no reference
 * @param performanceDrift live error over the version's evaluated error, minus 1 (0.25: 25%
 *     worse); NaN when there is no outcome feedback or no evaluated error
 */
public record DriftSnapshot(String model, String version, long computedAtMillis, long windowRows,
    boolean referenceLive, double driftedShare, double maxFeaturePsi, double maxFeatureKs,
    double maxPredictionPsi, double performanceDrift) {}
