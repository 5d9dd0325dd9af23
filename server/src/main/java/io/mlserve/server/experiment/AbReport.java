package io.mlserve.server.experiment;

import java.util.Objects;

/**
 * A model's A/B report: the window of the split in force now, and the window of the split
 * before it (kept readable until the next change, then dropped). Either is null when there is
 * none: no split has routed requests since the server started, or the split has changed at
 * most once. Immutable.
 *
 * @param model the model
 * @param current the window of the split in force; null when none
 * @param previous the window of the split before it; null when none
 */
public record AbReport(String model, AbWindow current, AbWindow previous) {
  public AbReport {
    Objects.requireNonNull(model, "model");
  }
}
