package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code events.jsonl}. Field names and order on disk are a wire contract:
 *
 * <pre>{@code
 * {"event_type":"ml.model.promoted.v1","model_name":"curve_forecaster","version":"1.2.0",
 *  "stage":"Production","run_id":"abc123def456","timestamp":1640995200000,"seq":42,
 *  "previous_version":"1.1.0"}
 * }</pre>
 *
 * <p>Every field is always written, {@code null} when it has no value (a consumer keyed on
 * {@code run_id} or {@code stage} finds the key on every line); {@code attributes} is written
 * only by the types that define attributes, and then with every attribute key of the type. The
 * schema of every type is documented in {@code docs/events.md}. {@code seq} is 0 until
 * {@link EventLog#append} assigns it. Immutable.
 *
 * @param stage a stage display name, e.g. {@code "Production"}
 * @param timestamp epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"event_type", "model_name", "version", "stage", "run_id", "timestamp", "seq",
    "previous_version", "attributes"})
public record Event(
    @JsonProperty("event_type") String eventType,
    @JsonProperty("model_name") String modelName,
    String version,
    String stage,
    @JsonProperty("run_id") String runId,
    long timestamp,
    long seq,
    @JsonProperty("previous_version") String previousVersion,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> attributes) {

  /** A version was registered (stage Development). */
  public static final String REGISTERED = "ml.model.registered.v1";
  /** A version moved into Staging or Production; {@code previous_version} held it before. */
  public static final String PROMOTED = "ml.model.promoted.v1";
  /**
   * Production went back to an earlier version ({@code version}); {@code previous_version} held
   * it; attribute {@code reason} says why (the operator's reason, or the reload failure). Consumers that follow the Production pointer react to this and to {@link #PROMOTED}
   * with stage Production; a rollback appends no promoted event.
   */
  public static final String ROLLED_BACK = "ml.model.rolled_back.v1";
  /** A version became Deprecated; attribute {@code from_stage} says from where. */
  public static final String DEPRECATED = "ml.model.deprecated.v1";
  /** A version became Archived (not loadable). */
  public static final String ARCHIVED = "ml.model.archived.v1";
  /** An archived version came back (stage Deprecated). */
  public static final String RESTORED = "ml.model.restored.v1";
  /** {@code cleanup} removed an archived version's files. */
  public static final String DELETED = "ml.model.deleted.v1";
  /** The server failed to load {@code version}; attribute {@code reason} says why. */
  public static final String RELOAD_FAILED = "ml.model.reload_failed.v1";
  /** An experiment run was created ({@code run_id}; {@code version} is null). */
  public static final String RUN_CREATED = "ml.run.created.v1";
  /** An experiment run ended; attribute {@code status}. */
  public static final String RUN_ENDED = "ml.run.ended.v1";

  public Event {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(modelName, "modelName");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** A registration event. */
  public static Event registered(String model, String version, String runId, long timestamp) {
    return new Event(REGISTERED, model, version, Stage.DEVELOPMENT.displayName(), runId,
        timestamp, 0, null, Map.of());
  }

  /** A promotion event; {@code previousVersion} is the version that held the stage, or null. */
  public static Event promoted(String model, String version, Stage stage, String runId,
      long timestamp, String previousVersion) {
    return new Event(PROMOTED, model, version, stage.displayName(), runId, timestamp, 0,
        previousVersion, Map.of());
  }

  /** A stage change other than a promotion (deprecate, archive, restore, rollback, ...). */
  public static Event of(String type, String model, String version, Stage stage, String runId,
      long timestamp, String previousVersion, Map<String, String> attributes) {
    return new Event(type, model, version, stage == null ? null : stage.displayName(), runId,
        timestamp, 0, previousVersion, attributes);
  }

  /** The event as its line in events.jsonl (no newline). */
  public String toJson() {
    try {
      return StoreJson.MAPPER.writerFor(Event.class).writeValueAsString(this);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StoreException("cannot encode event: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses one line of events.jsonl.
   *
   * @throws StoreException if it is not an event
   */
  public static Event fromJson(String line) {
    try {
      return StoreJson.MAPPER.readValue(line, Event.class);
    } catch (java.io.IOException e) {
      throw new StoreException("invalid event: " + e.getMessage(), e);
    }
  }

  /** A copy with the given sequence number. */
  public Event withSeq(long seq) {
    return new Event(eventType, modelName, version, stage, runId, timestamp, seq, previousVersion,
        attributes);
  }
}
