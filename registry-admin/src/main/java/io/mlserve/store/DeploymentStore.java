package io.mlserve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.TrafficSplit.Range;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes {@code <store>/<model>/deployment.json} ({@link Deployment}):
 *
 * <pre>{@code
 * {"model": "curve_forecaster",
 *  "split": {"weights": {"1.2.0": 90.0, "1.3.0": 10.0},
 *            "ranges": {"1.2.0": [[0, 9000]], "1.3.0": [[9000, 10000]]}},
 *  "seq": 42, "actor": "alice", "reason": "A/B test", "updated_at": 1640995200000,
 *  "rollout": {...},
 *  "shadow": {"version": "1.3.0", "sample": 0.25, "atol": 1e-4, "rtol": 1e-3, "started_at": ...}}
 * }</pre>
 *
 * <p>{@code split} is null when there is none; ranges are {@code [from, to)} bucket ranges
 * ({@link TrafficSplit}). {@code rollout} is absent when the model never had a rollout, else
 * its {@link RolloutJson} form. Other top-level keys are kept as they are on rewrite. Writes are
 * atomic (temp file, fsync, rename, through the store's {@link FileOps}), and the rename is the
 * commit point of the enclosing registry change. Reads take no lock (a reader sees the file
 * before or after a rename), never follow a symlinked record, and refuse records over 1 MiB.
 * Thread-safe.
 */
public final class DeploymentStore {
  /** The record's file name in the model directory. */
  public static final String FILE_NAME = "deployment.json";
  private static final int MAX_BYTES = 1 << 20;
  private static final Set<String> KNOWN = Set.of("model", "split", "seq", "actor", "reason",
      "updated_at", "rollout", "shadow");

  private final ModelStore store;

  public DeploymentStore(ModelStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * The model's deployment record; empty if it has none.
   *
   * @throws NotFoundException if the model does not exist
   * @throws StoreException if the record cannot be read or is not valid
   */
  public Optional<Deployment> read(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return read(store.root(), model);
  }

  /**
   * The deployment record of {@code model} in the store at {@code storeRoot}, read only (for
   * servers that follow a store they do not write); empty if the model or the record does not
   * exist.
   *
   * @throws StoreException if the record cannot be read or is not valid (the message names the
   *     model and what is wrong, never the store's path)
   */
  public static Optional<Deployment> read(Path storeRoot, String model) {
    Objects.requireNonNull(storeRoot, "storeRoot");
    Objects.requireNonNull(model, "model");
    if (!Names.isValidModelName(model)) {
      return Optional.empty();
    }
    Path dir = storeRoot.resolve(model);
    Path file = dir.resolve(FILE_NAME);
    String rel = model + "/" + FILE_NAME;
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return RecordFiles.read(file, rel, MAX_BYTES).map(bytes -> decode(model, bytes));
  }

  /**
   * Replaces the model's record atomically; the rename is a commit point
   * ({@link StoreLock#committed}). Takes the store lock (callers that compose hold it).
   */
  public void write(Deployment d) {
    Objects.requireNonNull(d, "d");
    if (!store.hasModel(d.model())) {
      throw NotFoundException.model(d.model());
    }
    byte[] bytes = encode(d);
    Path file = store.modelDirectory(d.model()).resolve(FILE_NAME);
    store.lock().call(() -> {
      store.files().write(file, bytes);
      store.lock().committed();
      return null;
    });
  }

  /** The record as the file holds it (pretty-printed JSON, newline-terminated). */
  static byte[] encode(Deployment d) {
    ObjectNode o = StoreJson.MAPPER.createObjectNode();
    o.put("model", d.model());
    if (d.split() == null) {
      o.putNull("split");
    } else {
      ObjectNode split = o.putObject("split");
      ObjectNode weights = split.putObject("weights");
      d.split().weights().forEach(weights::put);
      ObjectNode ranges = split.putObject("ranges");
      d.split().ranges().forEach((v, rs) -> {
        ArrayNode a = ranges.putArray(v);
        rs.forEach(r -> a.addArray().add(r.from()).add(r.to()));
      });
    }
    o.put("seq", d.seq());
    o.put("actor", d.actor());
    o.put("reason", d.reason());
    o.put("updated_at", d.updatedAt());
    if (d.shadow() != null) {
      ObjectNode sh = o.putObject("shadow");
      sh.put("version", d.shadow().version());
      sh.put("sample", d.shadow().sample());
      sh.put("atol", d.shadow().atol());
      sh.put("rtol", d.shadow().rtol());
      sh.put("started_at", d.shadow().startedAt());
    }
    if (d.rollout() != null) {
      o.set("rollout", RolloutJson.toJson(d.rollout()));
    }
    d.otherSections().properties().forEach(e -> {
      if (!KNOWN.contains(e.getKey())) {
        o.set(e.getKey(), e.getValue());
      }
    });
    try {
      return (StoreJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot encode the deployment of " + d.model() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  /** Parses a record of {@code model}. */
  static Deployment decode(String model, byte[] bytes) {
    String rel = model + "/" + FILE_NAME;
    JsonNode root;
    try {
      root = StoreJson.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new StoreException(rel + " is not valid JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : IoErrors.reason(e)),
          e);
    }
    if (root == null || !root.isObject()) {
      throw new StoreException(rel + " is not a JSON object");
    }
    if (!model.equals(root.path("model").asText(null))) {
      throw new StoreException(rel + " names model '"
          + Names.printable(root.path("model").asText("")) + "', not " + model);
    }
    TrafficSplit split;
    try {
      split = split(root.get("split"));
    } catch (IllegalArgumentException e) {
      throw new StoreException(rel + ": split: " + e.getMessage(), e);
    }
    JsonNode seq = root.path("seq");
    if (!seq.canConvertToLong() || seq.asLong() < 0) {
      throw new StoreException(rel + ": seq is not a non-negative integer");
    }
    Rollout rollout = null;
    JsonNode r = root.get("rollout");
    if (r != null && !r.isNull()) {
      try {
        rollout = RolloutJson.fromJson(r);
      } catch (IllegalArgumentException e) {
        throw new StoreException(rel + ": rollout: " + e.getMessage(), e);
      }
    }
    ObjectNode others = StoreJson.MAPPER.createObjectNode();
    root.properties().forEach(e -> {
      if (!KNOWN.contains(e.getKey())) {
        others.set(e.getKey(), e.getValue());
      }
    });
    Shadow shadow = null;
    JsonNode sh = root.get("shadow");
    if (sh != null && !sh.isNull()) {
      try {
        if (!sh.isObject() || !sh.path("version").isTextual() || !sh.path("sample").isNumber()
            || !sh.path("atol").isNumber() || !sh.path("rtol").isNumber()) {
          throw new IllegalArgumentException(
              "needs a string version and numbers sample, atol and rtol");
        }
        shadow = new Shadow(sh.get("version").asText(), sh.get("sample").asDouble(),
            sh.get("atol").asDouble(), sh.get("rtol").asDouble(), sh.path("started_at").asLong(0));
      } catch (IllegalArgumentException e) {
        throw new StoreException(rel + ": shadow: " + e.getMessage(), e);
      }
    }
    return new Deployment(model, split, seq.asLong(), text(root, "actor"), text(root, "reason"),
        root.path("updated_at").asLong(0), others, rollout, shadow);
  }

  private static TrafficSplit split(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    JsonNode weights = n.get("weights");
    JsonNode ranges = n.get("ranges");
    if (weights == null || !weights.isObject() || ranges == null || !ranges.isObject()) {
      throw new IllegalArgumentException("expected {\"weights\": {...}, \"ranges\": {...}}");
    }
    Map<String, Double> w = new LinkedHashMap<>();
    weights.properties().forEach(e -> {
      if (!e.getValue().isNumber()) {
        throw new IllegalArgumentException("the weight of " + Names.printable(e.getKey())
            + " is not a number");
      }
      w.put(e.getKey(), e.getValue().doubleValue());
    });
    Map<String, List<Range>> r = new LinkedHashMap<>();
    ranges.properties().forEach(e -> {
      List<Range> list = new ArrayList<>();
      for (JsonNode pair : e.getValue()) {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToInt()
            || !pair.get(1).canConvertToInt()) {
          throw new IllegalArgumentException("ranges of " + Names.printable(e.getKey())
              + " must be [from, to] pairs");
        }
        list.add(new Range(pair.get(0).asInt(), pair.get(1).asInt()));
      }
      r.put(e.getKey(), list);
    });
    return TrafficSplit.of(w, r);
  }

  private static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }
}
