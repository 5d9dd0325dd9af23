package io.mlserve.store;

import java.util.Objects;

/**
 * The shadow section of a model's deployment record ({@link Deployment#shadow()}): a version that
 * receives a sampled copy of the requests the model's primary answers, after the primary's
 * answer is sent, so its answers can be compared with production's without any client seeing
 * them. Immutable; the compact constructor checks every rule, so a record read from disk is as
 * valid as one the registry wrote.
 *
 * @param version the shadow version
 * @param sample the share of answered requests copied to it, in {@code (0, 1]}
 * @param atol the absolute tolerance of "agrees" ({@code |shadow - primary| <= atol + rtol *
 *     |primary|}), {@code >= 0}
 * @param rtol the relative tolerance of "agrees", {@code >= 0}
 * @param startedAt when it started (epoch ms)
 */
public record Shadow(String version, double sample, double atol, double rtol, long startedAt) {
  /** Default share of requests copied. */
  public static final double DEFAULT_SAMPLE = 1.0;
  /** Default absolute tolerance. */
  public static final double DEFAULT_ATOL = 1e-4;
  /** Default relative tolerance. */
  public static final double DEFAULT_RTOL = 1e-3;

  public Shadow {
    Objects.requireNonNull(version, "version");
    SemVer.parse(version);
    if (!(sample > 0 && sample <= 1)) {
      throw new IllegalArgumentException("shadow sample must be in (0, 1], got " + sample);
    }
    if (!(atol >= 0 && atol < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("shadow atol must be a finite number >= 0, got " + atol);
    }
    if (!(rtol >= 0 && rtol < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("shadow rtol must be a finite number >= 0, got " + rtol);
    }
  }

  /** Short words for history and logs, e.g. {@code 1.3.0 (sample 0.25, atol 1e-4, rtol 1e-3)}. */
  public String describe() {
    return version + " (sample " + TrafficSplit.format(sample) + ", atol " + atol + ", rtol "
        + rtol + ")";
  }
}
