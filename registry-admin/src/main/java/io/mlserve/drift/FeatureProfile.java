package io.mlserve.drift;

import java.util.Objects;

/**
 * The reference statistics of one feature (one element of a model input or output, per row):
 * summary statistics, quantile bins for PSI and a quantile sketch for KS. Immutable by contract
 * (the arrays are not copied).
 *
 * <p>Feature names: an input or output whose rows hold one value is named as the tensor
 * ({@code price}); one whose rows hold several is named per flat element ({@code curve[0]} ..
 * {@code curve[23]}).
 *
 * @param name the feature's name, as above
 * @param count finite values seen
 * @param missing values that were NaN or infinite (not binned)
 * @param mean mean of the finite values
 * @param std population standard deviation of the finite values
 * @param min smallest finite value
 * @param max largest finite value
 * @param edges the inner bin edges, strictly ascending, {@code bins - 1} of them; bin {@code i}
 *     holds values in {@code (edges[i-1], edges[i]]}, the first everything up to
 *     {@code edges[0]}, the last everything above the last edge
 * @param fractions the share of the reference's finite values in each bin, {@code edges.length
 *     + 1} of them, summing to 1
 * @param quantiles the values at probabilities {@code 0, 1/(n-1), .., 1} (n = 101: every
 *     percentile), ascending; the reference distribution KS compares with
 */
public record FeatureProfile(String name, long count, long missing, double mean, double std,
    double min, double max, double[] edges, double[] fractions, double[] quantiles) {
  public FeatureProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(edges, "edges");
    Objects.requireNonNull(fractions, "fractions");
    Objects.requireNonNull(quantiles, "quantiles");
    if (fractions.length != edges.length + 1) {
      throw new IllegalArgumentException("feature '" + name + "': " + edges.length
          + " edges need " + (edges.length + 1) + " bin fractions, got " + fractions.length);
    }
  }
}
