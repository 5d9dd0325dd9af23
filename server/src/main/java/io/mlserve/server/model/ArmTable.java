package io.mlserve.server.model;

import io.mlserve.store.TrafficSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * A model's traffic split, resolved to loaded versions: which version answers each of the
 * split's buckets. A request with a routing key goes to its key's bucket (so the same key always
 * lands on the same version for a given split); one without goes to a uniformly random bucket,
 * which lands on each version with its weight's probability. One array read per request.
 *
 * <p>Immutable; thread-safe.
 */
public final class ArmTable {
  private final String id;
  private final ServedModel[] byBucket;
  private final ToIntFunction<String> keyBucket;
  private final ServedModel heaviest;
  private final List<ServedModel> arms;
  private final Map<String, Double> weights;
  private final TrafficSplit split;

  /**
   * @param id names the split (e.g. the seq of the event that set it); a new id starts a new
   *     A/B report window
   * @param byBucket the version of each bucket, every entry loaded
   * @param keyBucket a routing key's bucket, in {@code [0, byBucket.length)}
   * @param heaviest the version with the highest weight (answers metadata)
   * @param arms every version with weight above zero
   * @param weights every version of the split and its weight in percent, in the split's order
   */
  public ArmTable(String id, ServedModel[] byBucket, ToIntFunction<String> keyBucket,
      ServedModel heaviest, List<ServedModel> arms, Map<String, Double> weights) {
    this(id, byBucket, keyBucket, heaviest, arms, weights, null);
  }

  private ArmTable(String id, ServedModel[] byBucket, ToIntFunction<String> keyBucket,
      ServedModel heaviest, List<ServedModel> arms, Map<String, Double> weights,
      TrafficSplit split) {
    this.split = split;
    this.id = Objects.requireNonNull(id, "id");
    this.byBucket = byBucket.clone();
    this.keyBucket = Objects.requireNonNull(keyBucket, "keyBucket");
    this.heaviest = Objects.requireNonNull(heaviest, "heaviest");
    this.arms = List.copyOf(arms);
    this.weights = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weights));
    for (ServedModel m : this.byBucket) {
      Objects.requireNonNull(m, "byBucket entry");
    }
  }

  /**
   * Resolves a split to loaded versions.
   *
   * @param id names the split (the seq of the event that set it)
   * @param loaded the loaded version of each version the split gives weight
   * @throws IllegalArgumentException when a version with weight has no loaded instance
   */
  public static ArmTable of(String id, TrafficSplit split, Function<String, ServedModel> loaded) {
    ServedModel[] byBucket = new ServedModel[TrafficSplit.BUCKETS];
    for (int b = 0; b < byBucket.length; b++) {
      String v = split.versionFor(b);
      byBucket[b] = loaded.apply(v);
      if (byBucket[b] == null) {
        throw new IllegalArgumentException("version " + v + " of the split is not loaded");
      }
    }
    List<ServedModel> arms = new ArrayList<>();
    ServedModel heaviest = null;
    double most = -1;
    for (Map.Entry<String, Double> e : split.weights().entrySet()) {
      if (e.getValue() > 0) {
        ServedModel m = loaded.apply(e.getKey());
        arms.add(m);
        if (e.getValue() > most) {
          most = e.getValue();
          heaviest = m;
        }
      }
    }
    return new ArmTable(id, byBucket, TrafficSplit::bucketOf, heaviest, arms, split.weights(),
        split);
  }

  /** The version for a request with this routing key, or a weighted random one for null. */
  public ServedModel pick(String routingKey) {
    int bucket = routingKey == null
        ? ThreadLocalRandom.current().nextInt(byBucket.length)
        : keyBucket.applyAsInt(routingKey);
    return byBucket[bucket];
  }

  public String id() {
    return id;
  }

  public ServedModel heaviest() {
    return heaviest;
  }

  /** Versions with weight above zero. */
  public List<ServedModel> arms() {
    return arms;
  }

  /** The split this table was built from, or null for a table built by hand. */
  public TrafficSplit split() {
    return split;
  }

  /** Every version of the split and its weight in percent, in the split's order. */
  public Map<String, Double> weights() {
    return weights;
  }

  /** Whether {@code m} is one of the arms. */
  public boolean contains(ServedModel m) {
    return arms.contains(m);
  }
}
