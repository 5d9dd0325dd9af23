package io.mlserve.drift;

import java.util.List;
import java.util.Objects;

/**
 * What a model version's inputs and outputs looked like on its reference data, the baseline
 * drift is measured against: stored with the version as {@code versions/<v>/reference.json}, or
 * built in memory from the first live rows after promotion when the version has none. Immutable.
 *
 * @param model the model's name
 * @param version the version it describes
 * @param source where the rows came from: {@code dataset:<name>@<sha256>},
 *     {@code run:<run_id>/<artifact>}, or {@code live} (the first rows served)
 * @param rows rows profiled
 * @param createdMillis when it was computed, epoch milliseconds
 * @param inputs one profile per input feature, in signature order
 * @param outputs one profile per output feature, in signature order (empty when the outputs
 *     were not profiled)
 */
public record ReferenceProfile(String model, String version, String source, long rows,
    long createdMillis, List<FeatureProfile> inputs, List<FeatureProfile> outputs) {
  /** The file name a version's stored profile has. */
  public static final String FILE_NAME = "reference.json";
  /** {@link #source} of a profile built from the first live rows. */
  public static final String LIVE = "live";

  public ReferenceProfile {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(source, "source");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
