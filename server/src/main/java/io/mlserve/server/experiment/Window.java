package io.mlserve.server.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One A/B report window of a model: the split that was in force (its id and weights), when it
 * began, and the arms that answered split-routed requests under it, at most {@code maxArms}
 * (requests for further versions are counted as untracked). A window is current until the
 * model's split changes, then previous until the next change, then gone; feedback for a
 * prediction made in a window that is gone is not counted anywhere.
 *
 * <p>This class is thread-safe.
 */
final class Window {
  /** Where a window stands. */
  enum Phase {
    CURRENT,
    PREVIOUS,
    CLOSED
  }

  private final String model;
  private final String splitId;
  private final Map<String, Double> weights;
  private final long startedAtMillis;
  private final int maxArms;
  private final ConcurrentHashMap<String, ArmStats> arms = new ConcurrentHashMap<>();
  private final LongAdder untracked = new LongAdder();
  private volatile Phase phase = Phase.CURRENT;
  private volatile long endedAtMillis;

  Window(String model, String splitId, Map<String, Double> weights, long startedAtMillis,
      int maxArms) {
    this.model = model;
    this.splitId = splitId;
    this.weights = Map.copyOf(weights);
    this.startedAtMillis = startedAtMillis;
    this.maxArms = maxArms;
  }

  /** The arm of {@code version}; null (and counted as untracked) when the window is full. */
  ArmStats arm(String version) {
    ArmStats a = arms.get(version);
    if (a != null) {
      return a;
    }
    synchronized (this) {
      a = arms.get(version);
      if (a == null) {
        if (arms.size() >= maxArms) {
          untracked.increment();
          return null;
        }
        a = new ArmStats(this, version);
        arms.put(version, a);
      }
      return a;
    }
  }

  String model() {
    return model;
  }

  /** The split's id as the registry gave it; null when not known. */
  String splitId() {
    return splitId;
  }

  /** Version → weight of the split; empty when not known. */
  Map<String, Double> weights() {
    return weights;
  }

  long startedAtMillis() {
    return startedAtMillis;
  }

  /** When the window stopped being current; 0 while it is. */
  long endedAtMillis() {
    return endedAtMillis;
  }

  long untracked() {
    return untracked.sum();
  }

  Phase phase() {
    return phase;
  }

  void phase(Phase next, long nowMillis) {
    if (phase == Phase.CURRENT && next != Phase.CURRENT) {
      endedAtMillis = nowMillis;
    }
    phase = next;
  }

  /** The arms, in no particular order. */
  List<ArmStats> arms() {
    return new ArrayList<>(arms.values());
  }
}
