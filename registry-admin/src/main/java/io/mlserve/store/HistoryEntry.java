package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One stage transition of one version, or one traffic change: a line of
 * {@code <model>/history.jsonl}. {@code fromStage} is null for the transition into Development
 * at registration; {@code reason} may be null. Stages are display names ({@code "Production"}).
 *
 * <p>A traffic change ({@link #isTraffic}) has {@code version} {@value #TRAFFIC} (never a
 * semantic version, so no version's stage is read from it), {@code fromStage} the split before
 * in the CLI form ({@code 1.2.0=100}, or null if there was none) and {@code toStage} the split
 * after ({@code 1.2.0=90,1.3.0=10}, or {@value #NO_SPLIT} when it was cleared), so that
 * {@code mlctl history} shows it as a row like any other. Immutable.
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

  /** The {@code version} of a traffic change's line. */
  public static final String TRAFFIC = "traffic";
  /** The version column of a shadow change. */
  public static final String SHADOW = "shadow";

  /** The {@code to_stage} of a traffic change that cleared the split. */
  public static final String NO_SPLIT = "none";

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

  /**
   * A traffic change: the split before and after in the CLI form ({@code before} null if there
   * was none, {@code after} null when it was cleared).
   */
  public static HistoryEntry traffic(long timestamp, String model, String before, String after,
      String actor, String reason) {
    return new HistoryEntry(timestamp, model, TRAFFIC, before, after == null ? NO_SPLIT : after,
        actor, reason);
  }

  /**
   * A shadow change: the shadow before and after in words ({@code before} null if there was
   * none, {@code after} null when it stopped); the version column reads {@code shadow}.
   */
  public static HistoryEntry shadow(long timestamp, String model, String before, String after,
      String actor, String reason) {
    return new HistoryEntry(timestamp, model, SHADOW, before, after == null ? NO_SPLIT : after,
        actor, reason);
  }

  /** Whether this line records a traffic change rather than a stage transition. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTraffic() {
    return TRAFFIC.equals(version);
  }
}
