package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * only by the types that define attributes, and then with every attribute key of the type.
 * {@code fields} are further top-level fields, after those, written only by the types that
 * define them (each of their fields always, {@code null} when it has no value); a line read
 * back keeps every top-level key this record does not name there, so nothing is lost. The
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
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> attributes,
    @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> fields) {

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
  /**
   * A model's traffic split changed (set, or cleared); fields {@code split},
   * {@code previous_split} (version → weight in percent, or null), {@code actor},
   * {@code reason}.
   */
  public static final String TRAFFIC_CHANGED = "ml.model.traffic_changed.v1";
  /**
   * A rollout changed (started, advanced, extended, waiting, paused, resumed, finished):
   * {@code version} the candidate; fields {@code action}, {@code step}, {@code weight},
   * {@code state}, {@code split} (the split it set, or null), {@code rollout} (the whole
   * section as the record now holds it), {@code actor}, {@code reason}.
   */
  public static final String ROLLOUT_STEP = "ml.model.rollout_step.v1";
  /**
   * A rollout was aborted (candidate weight 0): {@code version} the candidate; fields
   * {@code step}, {@code weight} (the candidate's weight before), {@code split}, {@code rollout},
   * {@code actor}, {@code reason} (the failing check and its numbers, or the operator's reason).
   */
  public static final String ROLLOUT_ABORTED = "ml.model.rollout_aborted.v1";
  /**
   * A shadow started or stopped: {@code version} the shadow version (null when stopped);
   * fields {@code shadow} ({@code {sample, atol, rtol}}, null when stopped),
   * {@code previous_shadow} (the version that was shadowing before, or null), {@code actor},
   * {@code reason}.
   */
  public static final String SHADOW_CHANGED = "ml.model.shadow_changed.v1";

  @JsonCreator
  public Event {
    Objects.requireNonNull(eventType, "eventType"); // modelName: null for process-wide events
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    Map<String, JsonNode> f = new LinkedHashMap<>();
    if (fields != null) {
      fields.forEach((k, v) -> f.put(k, v == null ? NullNode.getInstance() : v.deepCopy()));
    }
    fields = Collections.unmodifiableMap(f);
  }

  /** An event with no further top-level fields. */
  public Event(String eventType, String modelName, String version, String stage, String runId,
      long timestamp, long seq, String previousVersion, Map<String, String> attributes) {
    this(eventType, modelName, version, stage, runId, timestamp, seq, previousVersion,
        attributes, Map.of());
  }

  /** Further top-level field {@code name} (a copy), or null if the line has none. */
  public JsonNode field(String name) {
    JsonNode n = fields.get(name);
    return n == null ? null : n.deepCopy();
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

  /**
   * A traffic change: {@code split} the new weights (null when the split was cleared),
   * {@code previousSplit} the ones before (null if there was none). Version, stage, run and
   * previous version are null.
   */
  public static Event trafficChanged(String model, Map<String, Double> split,
      Map<String, Double> previousSplit, String actor, String reason, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    f.put("split", weights(split));
    f.put("previous_split", weights(previousSplit));
    f.put("actor", JsonNodeFactory.instance.textNode(actor));
    f.put("reason", JsonNodeFactory.instance.textNode(reason));
    return new Event(TRAFFIC_CHANGED, model, null, null, null, timestamp, 0, null, Map.of(), f);
  }

  /** A shadow change ({@link #SHADOW_CHANGED}); {@code shadow} null when it stopped. */
  public static Event shadowChanged(String model, Shadow shadow, String previousVersion,
      String actor, String reason, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    if (shadow == null) {
      f.put("shadow", JsonNodeFactory.instance.nullNode());
    } else {
      var o = JsonNodeFactory.instance.objectNode();
      o.put("sample", shadow.sample());
      o.put("atol", shadow.atol());
      o.put("rtol", shadow.rtol());
      f.put("shadow", o);
    }
    f.put("previous_shadow", JsonNodeFactory.instance.textNode(previousVersion));
    f.put("actor", JsonNodeFactory.instance.textNode(actor));
    f.put("reason", JsonNodeFactory.instance.textNode(reason));
    return new Event(SHADOW_CHANGED, model, shadow == null ? null : shadow.version(), null, null,
        timestamp, 0, null, Map.of(), f);
  }

  /**
   * A rollout change ({@link #ROLLOUT_STEP}): {@code action} what happened, {@code split} the
   * split the record now holds (null when cleared), {@code rollout} the section as written.
   */
  public static Event rolloutStep(String model, String action, Rollout rollout,
      Map<String, Double> split, String actor, String reason, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    f.put("action", JsonNodeFactory.instance.textNode(action));
    f.put("step", JsonNodeFactory.instance.numberNode(rollout.step()));
    f.put("weight", JsonNodeFactory.instance.numberNode(rollout.weight()));
    f.put("state", JsonNodeFactory.instance.textNode(rollout.state().name()));
    rolloutFields(f, rollout, split, actor, reason);
    return new Event(ROLLOUT_STEP, model, rollout.candidate(), null, null, timestamp, 0, null,
        Map.of(), f);
  }

  /**
   * A rollout abort ({@link #ROLLOUT_ABORTED}): {@code weightBefore} the candidate's weight
   * until now, {@code split} the split with the candidate at 0.
   */
  public static Event rolloutAborted(String model, Rollout rollout, double weightBefore,
      Map<String, Double> split, String actor, String reason, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    f.put("step", JsonNodeFactory.instance.numberNode(rollout.step()));
    f.put("weight", JsonNodeFactory.instance.numberNode(weightBefore));
    rolloutFields(f, rollout, split, actor, reason);
    return new Event(ROLLOUT_ABORTED, model, rollout.candidate(), null, null, timestamp, 0, null,
        Map.of(), f);
  }

  private static void rolloutFields(Map<String, JsonNode> f, Rollout rollout,
      Map<String, Double> split, String actor, String reason) {
    f.put("split", weights(split));
    f.put("rollout", RolloutJson.toJson(rollout));
    f.put("actor", JsonNodeFactory.instance.textNode(actor));
    f.put("reason", JsonNodeFactory.instance.textNode(reason));
  }

  /**
   * The weights in field {@code name} of a traffic change ({@code "split"} or
   * {@code "previous_split"}), in their order; null when the field is null or absent.
   *
   * @throws StoreException if the field is not an object of numbers
   */
  public Map<String, Double> weightsField(String name) {
    JsonNode n = fields.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new StoreException("event seq " + seq + ": " + name + " is not an object");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getValue().isNumber()) {
        throw new StoreException("event seq " + seq + ": weight of " + e.getKey() + " in "
            + name + " is not a number");
      }
      out.put(e.getKey(), e.getValue().doubleValue());
    }
    return out;
  }

  private static JsonNode weights(Map<String, Double> w) {
    if (w == null) {
      return NullNode.getInstance();
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    w.forEach(o::put);
    return o;
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
        attributes, fields);
  }
}
