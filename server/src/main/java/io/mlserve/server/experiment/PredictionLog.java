package io.mlserve.server.experiment;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.tensor.Tensor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Objects;

/**
 * The bounded, time-limited record of recent predictions that outcome feedback joins on:
 * request id → {@link Prediction}. Bounded by count, by bytes (outputs plus an estimated
 * overhead per entry) and by age; the oldest entries go first.
 *
 * <p>On the path of every answered request, so it is striped: up to 16 shards by the id's hash,
 * each a hash map plus an insertion-ordered list under the shard's own lock, each holding its
 * share of the count and byte bounds. Eviction is oldest-first within a shard; a small log
 * (under 256 entries) has one shard, so its order is exact. Recording allocates the entry and
 * its map node, nothing else. Expired entries are dropped from a shard's old end whenever that
 * shard records, and when a lookup finds one.
 *
 * <p>Ages count from when the answer was recorded. An entry larger than a shard's byte share
 * (the byte bound over the shard count) is not kept: its feedback finds it UNKNOWN.
 *
 * <p>A request id recorded again replaces the earlier prediction (ids are the caller's, and the
 * latest answer is the one feedback is about).
 *
 * <p>This class is thread-safe.
 */
final class PredictionLog {
  /** What a lookup found. */
  enum State {
    FOUND,
    /** Present but older than the TTL (it is dropped now). */
    EXPIRED,
    /** Never recorded, or evicted since. */
    UNKNOWN
  }

  /** A lookup's answer: the prediction when FOUND; its age when FOUND or EXPIRED. */
  record Lookup(State state, Prediction prediction, long ageNanos) {}

  private final Ticker ticker;
  private final int maxEntries;
  private final long maxBytes;
  private final long ttlNanos;
  private final Duration ttl;
  private final Shard[] shards;
  private final int perShardEntries;
  private final long perShardBytes;

  PredictionLog(ExperimentConfig config, Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.maxEntries = config.maxPredictions();
    this.maxBytes = config.maxPredictionBytes();
    this.ttl = config.predictionTtl();
    this.ttlNanos = ttl.toNanos();
    int n = 16;
    while (n > 1 && maxEntries / n < 128) {
      n >>= 1;
    }
    shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard();
    }
    perShardEntries = Math.max(1, maxEntries / n);
    perShardBytes = Math.max(1, maxBytes / n);
  }

  /** Records (or replaces) request {@code id}'s prediction, evicting what is over the bounds. */
  void record(String id, String model, String version, ArmStats arm, Tensor[] outputs) {
    if (maxEntries == 0) {
      return; // keeping predictions is off
    }
    long now = ticker.nanoTime();
    Prediction p = new Prediction(id, model, version, arm, outputs, now);
    Shard s = shard(id);
    synchronized (s) {
      Prediction old = s.map.put(id, p);
      if (old != null) {
        s.unlink(old);
      }
      s.append(p);
      while (s.head != null && (s.map.size() > perShardEntries || s.bytes > perShardBytes
          || now - s.head.receivedAtNanos > ttlNanos)) {
        s.remove(s.head);
      }
    }
  }

  /** Finds request {@code id}'s prediction; an expired one is dropped and reported EXPIRED. */
  Lookup find(String id) {
    Shard s = shard(id);
    long now = ticker.nanoTime();
    synchronized (s) {
      Prediction p = s.map.get(id);
      if (p == null) {
        return new Lookup(State.UNKNOWN, null, 0);
      }
      long age = now - p.receivedAtNanos;
      if (age > ttlNanos) {
        s.remove(p);
        return new Lookup(State.EXPIRED, null, age);
      }
      return new Lookup(State.FOUND, p, age);
    }
  }

  /**
   * Marks {@code p} as having received its feedback.
   *
   * @return false when it had already received feedback
   */
  boolean claimFeedback(Prediction p) {
    synchronized (shard(p.id)) {
      if (p.feedbackTaken) {
        return false;
      }
      p.feedbackTaken = true;
      return true;
    }
  }

  /** Predictions held now. */
  int size() {
    int n = 0;
    for (Shard s : shards) {
      synchronized (s) {
        n += s.map.size();
      }
    }
    return n;
  }

  /** Estimated bytes held now. */
  long bytes() {
    long n = 0;
    for (Shard s : shards) {
      synchronized (s) {
        n += s.bytes;
      }
    }
    return n;
  }

  int maxEntries() {
    return maxEntries;
  }

  long maxBytes() {
    return maxBytes;
  }

  Duration ttl() {
    return ttl;
  }

  int shardCount() {
    return shards.length;
  }

  private Shard shard(String id) {
    int h = id.hashCode();
    return shards[(h ^ (h >>> 16)) & (shards.length - 1)];
  }

  /** One stripe: a map for lookups and a list oldest → newest for eviction. */
  private static final class Shard {
    // @GuardedBy("this") all fields
    final HashMap<String, Prediction> map = new HashMap<>();
    Prediction head;
    Prediction tail;
    long bytes;

    void append(Prediction p) {
      p.prev = tail;
      p.next = null;
      if (tail == null) {
        head = p;
      } else {
        tail.next = p;
      }
      tail = p;
      bytes += p.bytes;
    }

    void unlink(Prediction p) {
      if (p.prev == null) {
        head = p.next;
      } else {
        p.prev.next = p.next;
      }
      if (p.next == null) {
        tail = p.prev;
      } else {
        p.next.prev = p.prev;
      }
      p.prev = null;
      p.next = null;
      bytes -= p.bytes;
    }

    void remove(Prediction p) {
      map.remove(p.id, p);
      unlink(p);
    }
  }
}
