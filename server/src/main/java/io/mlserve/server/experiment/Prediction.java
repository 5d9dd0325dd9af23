package io.mlserve.server.experiment;

import io.mlserve.server.tensor.Tensor;

/**
 * One recent prediction kept for feedback: which model and version answered request
 * {@link #id}, its outputs, when it was made, and the A/B arm it counts for (null when the
 * request named its version or stage and so bypassed the split). The list links and the
 * feedback mark are guarded by the {@link PredictionLog} shard that holds the entry; the other
 * fields are final.
 */
final class Prediction {
  final String id;
  final String model;
  final String version;
  /** The arm of the A/B window that routed this request; null when no split routed it. */
  final ArmStats arm;
  final Tensor[] outputs;
  final long receivedAtNanos;
  final long bytes;
  // @GuardedBy("shard")
  Prediction prev;
  // @GuardedBy("shard")
  Prediction next;
  // @GuardedBy("shard")
  boolean feedbackTaken;

  Prediction(String id, String model, String version, ArmStats arm, Tensor[] outputs,
      long receivedAtNanos) {
    this.id = id;
    this.model = model;
    this.version = version;
    this.arm = arm;
    this.outputs = outputs;
    this.receivedAtNanos = receivedAtNanos;
    this.bytes = estimateBytes(id, outputs);
  }

  /**
   * What an entry keeps alive, estimated: the outputs' data and shapes plus the objects around
   * them (this entry, its map node, the id string, the tensors). Model and version names are
   * shared with the served model, so they are not counted.
   */
  static long estimateBytes(String id, Tensor[] outputs) {
    long n = ENTRY_OVERHEAD + 2L * id.length() + 4L * outputs.length;
    for (Tensor t : outputs) {
      n += TENSOR_OVERHEAD + 8L * t.rank() + t.data().length;
    }
    return n;
  }

  /** This entry, its hash map node and table slot, the id string and the outputs array. */
  static final int ENTRY_OVERHEAD = 160;
  /** A tensor object, its shape array and its data array header. */
  static final int TENSOR_OVERHEAD = 64;
}
