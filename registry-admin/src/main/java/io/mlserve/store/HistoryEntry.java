package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One stage transition of one version: a line of {@code <model>/history.jsonl}. {@code fromStage}
 * is null for the transition into Development at registration; {@code reason} may be null.
 * Stages are display names ({@code "Production"}). Immutable.
 *
 * @param timestamp epoch milliseconds
 */
public record HistoryEntry(
    long timestamp,
    String model,
    String version,
    @JsonProperty("from_stage") String fromStage,
    @JsonProperty("to_stage") String toStage,
    String actor,
    String reason) {

  public HistoryEntry {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(toStage, "toStage");
  }

  /** A transition between two stages ({@code from} null at registration). */
  public static HistoryEntry of(long timestamp, String model, String version, Stage from,
      Stage to, String actor, String reason) {
    return new HistoryEntry(timestamp, model, version, from == null ? null : from.displayName(),
        to.displayName(), actor, reason);
  }
}
