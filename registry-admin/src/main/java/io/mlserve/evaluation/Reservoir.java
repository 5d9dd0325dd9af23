package io.mlserve.evaluation;

import java.util.SplittableRandom;

/**
 * Chooses a uniform random sample of at most {@code capacity} items from a stream of unknown
 * length, by Li's Algorithm L: it draws the gap to the next chosen item, so the cost is
 * proportional to the items chosen, not the items seen. The caller stores the chosen items in
 * the slots it is told. Deterministic for a given seed. Not thread-safe.
 */
public final class Reservoir {
  /** Receives a chosen item: its offset in the current offer and the slot it takes. */
  @FunctionalInterface
  public interface Sink {
    void take(int offset, int slot);
  }

  private final int capacity;
  private final SplittableRandom random;
  private long seen;
  private long next;
  private double w;

  public Reservoir(int capacity, long seed) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a reservoir needs room for one item");
    }
    this.capacity = capacity;
    this.random = new SplittableRandom(seed);
    this.w = Math.exp(Math.log(uniform()) / capacity);
    this.next = capacity + gap();
  }

  /** How many slots are filled. */
  public int size() {
    return (int) Math.min(seen, capacity);
  }

  /** Offers the next {@code count} items of the stream; chosen ones go to {@code sink}. */
  public void offer(int count, Sink sink) {
    long end = seen + count;
    for (long i = seen; i < Math.min(end, capacity); i++) {
      sink.take((int) (i - seen), (int) i);
    }
    while (next < end) {
      sink.take((int) (next - seen), random.nextInt(capacity));
      w *= Math.exp(Math.log(uniform()) / capacity);
      next += 1 + gap();
    }
    seen = end;
  }

  private long gap() {
    double g = Math.floor(Math.log(uniform()) / Math.log1p(-w));
    return g >= Long.MAX_VALUE / 4 || Double.isNaN(g) ? Long.MAX_VALUE / 4 : (long) g;
  }

  private double uniform() {
    double u = random.nextDouble();
    return u > 0 ? u : Double.MIN_VALUE;
  }
}
