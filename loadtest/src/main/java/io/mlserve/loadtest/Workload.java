package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The request pool of a run, before serialization: entry {@code k} goes to model
 * {@link #modelOf(int) modelOf(k)} and carries {@link #batch(int) batch(k)}, {@code batchSize}
 * rows. Models are interleaved in proportion to their weights (3:1 sends a, a, a, b, ...), so any
 * stretch of the pool has the mix's proportions. Immutable; thread-safe.
 */
final class Workload {
  /** Distinct requests per model; enough that a server cannot get away with caching one answer. */
  static final int PER_MODEL = 64;
  /**
   * The most requests per model slot when an input file has more rows than {@link #PER_MODEL}
   * requests carry: the pool grows to send every row (a drift test needs the file's
   * distribution, not its first 64 rows), up to this many.
   */
  static final int MAX_PER_MODEL = 65_536;

  private final List<ModelInput> inputs;
  private final int batchSize;
  private final int[] modelOf;
  private final int[] rowOf;

  Workload(List<ModelInput> inputs, int batchSize) {
    this.inputs = List.copyOf(requireNonNull(inputs, "inputs"));
    if (this.inputs.isEmpty()) {
      throw new IllegalArgumentException("no models");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    int gcd = 0;
    for (ModelInput in : this.inputs) {
      gcd = gcd(gcd, in.weight());
    }
    List<Integer> order = new ArrayList<>();
    for (int m = 0; m < this.inputs.size(); m++) {
      for (int w = 0; w < this.inputs.get(m).weight() / gcd; w++) {
        order.add(m);
      }
    }
    int perModel = PER_MODEL;
    for (ModelInput in : this.inputs) {
      perModel = Math.max(perModel, Math.min(MAX_PER_MODEL,
          (in.rows().size() + batchSize - 1) / batchSize));
    }
    int size = order.size() * perModel;
    modelOf = new int[size];
    rowOf = new int[size];
    int[] nextRow = new int[this.inputs.size()];
    for (int k = 0; k < size; k++) {
      int m = order.get(k % order.size());
      modelOf[k] = m;
      rowOf[k] = nextRow[m];
      nextRow[m] += batchSize;
    }
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  int size() {
    return modelOf.length;
  }

  int batchSize() {
    return batchSize;
  }

  List<ModelInput> inputs() {
    return inputs;
  }

  List<String> models() {
    return inputs.stream().map(ModelInput::model).toList();
  }

  int modelOf(int k) {
    return modelOf[k];
  }

  ModelInput input(int k) {
    return inputs.get(modelOf[k]);
  }

  /** The rows request {@code k} carries: {@code batchSize} consecutive rows of its model's. */
  float[][] batch(int k) {
    List<float[]> rows = input(k).rows();
    float[][] batch = new float[batchSize][];
    for (int i = 0; i < batchSize; i++) {
      batch[i] = rows.get((rowOf[k] + i) % rows.size());
    }
    return batch;
  }

  /** One line: models with weights, values per row, rows per request. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    for (ModelInput in : inputs) {
      sb.append(sb.length() == 0 ? "" : ", ").append(in.model());
      if (inputs.size() > 1) {
        sb.append(" x").append(in.weight());
      }
      sb.append(" (").append(in.inputName()).append(" FP32 [").append(batchSize).append(',')
          .append(in.features()).append("])");
    }
    return sb.toString();
  }
}
