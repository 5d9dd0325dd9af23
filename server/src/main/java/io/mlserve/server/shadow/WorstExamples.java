package io.mlserve.server.shadow;

import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The K requests on which the shadow diverged most (largest {@code |s - p|}), for a human to
 * look at: each with bounded previews of its inputs and both answers (at most
 * {@link #PREVIEW_TENSORS} tensors of at most {@link #PREVIEW_VALUES} values each), so the
 * structure holds at most K small examples whatever the traffic. Requests that agree exactly
 * (difference 0) are not kept.
 *
 * <p>This class is thread-safe. {@link #offer} checks the current threshold before building any
 * preview, so a request that does not make the list costs one lock and one comparison.
 */
final class WorstExamples {
  static final int PREVIEW_TENSORS = 4;
  static final int PREVIEW_VALUES = 8;

  private static final Comparator<ShadowReport.Example> BY_DIFF =
      Comparator.comparingDouble(ShadowReport.Example::maxAbsDiff);

  private final int capacity;
  // @GuardedBy("this"): a min-heap, its head the least bad example kept
  private final PriorityQueue<ShadowReport.Example> heap;

  WorstExamples(int capacity) {
    this.capacity = capacity;
    this.heap = new PriorityQueue<>(Math.max(1, capacity), BY_DIFF);
  }

  /** Keeps the request if it is among the K worst so far. */
  void offer(String requestId, String primaryVersion, double maxAbsDiff, List<Tensor> inputs,
      Tensor[] primary, Tensor[] shadow) {
    if (capacity == 0 || !(maxAbsDiff > 0)) {
      return;
    }
    synchronized (this) {
      if (heap.size() >= capacity && heap.peek().maxAbsDiff() >= maxAbsDiff) {
        return;
      }
    }
    ShadowReport.Example e = new ShadowReport.Example(requestId, primaryVersion, maxAbsDiff,
        previews(inputs.toArray(new Tensor[0])), previews(primary), previews(shadow));
    synchronized (this) {
      heap.add(e);
      if (heap.size() > capacity) {
        heap.poll();
      }
    }
  }

  /** The examples kept, worst first. */
  synchronized List<ShadowReport.Example> worstFirst() {
    List<ShadowReport.Example> out = new ArrayList<>(heap);
    out.sort(BY_DIFF.reversed());
    return out;
  }

  static List<ShadowReport.Preview> previews(Tensor[] tensors) {
    if (tensors == null) {
      return List.of();
    }
    List<ShadowReport.Preview> out = new ArrayList<>();
    for (int t = 0; t < Math.min(tensors.length, PREVIEW_TENSORS); t++) {
      Tensor x = tensors[t];
      long count = Tensor.elementCount(x.shape());
      // BYTES (strings) have no numeric preview: the values list stays empty
      int shown = x.dataType().isFixedSize() ? (int) Math.min(count, PREVIEW_VALUES) : 0;
      List<Double> values = new ArrayList<>(shown);
      for (int i = 0; i < shown; i++) {
        values.add(Tensors.elementAsDouble(x, i));
      }
      out.add(new ShadowReport.Preview(x.name(), x.dataType().wireName(),
          toList(x.shape()), count, values));
    }
    return out;
  }

  private static List<Long> toList(long[] shape) {
    List<Long> out = new ArrayList<>(shape.length);
    for (long d : shape) {
      out.add(d);
    }
    return out;
  }
}
