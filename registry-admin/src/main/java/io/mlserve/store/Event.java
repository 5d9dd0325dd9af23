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
 * <p>{@code previous_version} is always written ({@code null} when there is none); the other
 * nullable fields ({@code run_id}, {@code stage}) are omitted when null, and
 * {@code attributes} (free-form extras for later event types) when empty. {@code seq} is 0 until
 * {@link EventLog#append} assigns it. Immutable.
 *
 * @param stage a stage display name, e.g. {@code "Production"}
 * @param timestamp epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
    @JsonProperty("previous_version") @JsonInclude(JsonInclude.Include.ALWAYS)
        String previousVersion,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> attributes) {

  /** A version was registered (stage Development). */
  public static final String REGISTERED = "ml.model.registered.v1";
  /** A version moved into Staging or Production; {@code previous_version} held it before. */
  public static final String PROMOTED = "ml.model.promoted.v1";

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

  /** A copy with the given sequence number. */
  public Event withSeq(long seq) {
    return new Event(eventType, modelName, version, stage, runId, timestamp, seq, previousVersion,
        attributes);
  }
}
