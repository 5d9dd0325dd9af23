package io.mlserve.server.triton.shm;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The shared memory one inference request uses: inputs read from regions, outputs bound to
 * regions and written there instead of into the answer. Every region the request names is
 * referenced from the moment it is named until {@link #close} (call it once the answer is sent
 * or the request failed), so an unregistration in between cannot unmap it under the request.
 *
 * <p>Every refusal is an INVALID_ARGUMENT naming the tensor and what disagreed: a region not
 * registered, an offset or size past the region's end, a size that is not what the tensor's
 * shape and type need, an output larger than its slot, or the feature turned off. Nothing is
 * read or written outside the bytes a check admitted.
 *
 * <p>This class is thread-safe: its methods are synchronized, so that a {@link #close} from a
 * cancellation never overlaps a write into a region (a write after it is refused, never done).
 */
public final class ShmRequest implements AutoCloseable {
  private final SharedMemoryRegistry registry;
  private final Map<String, MappedRegion> held = new HashMap<>();
  private final Map<String, Slot> outputs = new HashMap<>();
  private boolean closed;

  private record Slot(MappedRegion region, int offset, int byteSize, ShmRef ref) {}

  public ShmRequest(SharedMemoryRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * An input tensor whose bytes are copied out of its region: for a fixed-size type exactly
   * the bytes its shape needs, which {@code ref} must give; for BYTES the {@code ref}'s bytes,
   * whose length prefixes must then describe exactly the shape's elements.
   */
  public synchronized Tensor input(String name, DataType type, long[] shape, ShmRef ref) {
    String what = "input '" + name + "'";
    int needed;
    if (type.isFixedSize()) {
      try {
        needed = Tensor.byteSize(name, type, shape);
      } catch (IllegalArgumentException e) {
        throw InferenceException.invalid(what + ": shape " + Arrays.toString(shape) + " of "
            + type + " is too large");
      }
      if (ref.byteSize() != needed) {
        throw InferenceException.invalid(what + ": shape " + Arrays.toString(shape) + " of "
            + type + " needs " + needed + " bytes, " + ShmRef.BYTE_SIZE + " is "
            + ref.byteSize());
      }
    } else {
      needed = (int) Math.min(ref.byteSize(), Integer.MAX_VALUE);
    }
    Slot s = slot(what, ref);
    try {
      return new Tensor(name, type, shape, s.region().read(s.offset(), needed));
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid(what + ": the bytes in region '" + ref.region()
          + "' do not match shape " + Arrays.toString(shape) + " of " + type + ": "
          + e.getMessage());
    }
  }

  /** Binds a requested output to a region; checked against the region now. */
  public synchronized void bindOutput(String output, ShmRef ref) {
    String what = "output '" + output + "'";
    if (outputs.containsKey(output)) {
      throw InferenceException.invalid(what + " is requested twice; name each output once");
    }
    outputs.put(output, slot(what, ref));
  }

  /** Whether {@code output} goes to shared memory (and so not into the answer). */
  public synchronized boolean isBound(String output) {
    return outputs.containsKey(output);
  }

  /** Whether any output goes to shared memory. */
  public synchronized boolean hasOutputs() {
    return !outputs.isEmpty();
  }

  /** The reference {@code output} was bound with, or null. */
  public synchronized ShmRef outputRef(String output) {
    Slot s = outputs.get(output);
    return s == null ? null : s.ref();
  }

  /**
   * Writes an answer's output into its slot.
   *
   * @param output the output's name as requested (the signature's name)
   * @throws InferenceException INVALID_ARGUMENT when the output does not fit the slot
   */
  public synchronized void writeOutput(String output, Tensor t) {
    if (closed) {
      throw new CancellationException("the request finished before its outputs were written");
    }
    Slot s = outputs.get(output);
    if (s == null) {
      throw new IllegalArgumentException("output '" + output + "' is not bound");
    }
    byte[] data = t.data();
    if (data.length > s.byteSize()) {
      throw InferenceException.invalid("output '" + output + "' has " + data.length
          + " bytes (shape " + Arrays.toString(t.shape()) + " of " + t.dataType()
          + "), more than its " + ShmRef.BYTE_SIZE + " of " + s.byteSize());
    }
    s.region().write(s.offset(), data);
  }

  /**
   * Writes each of the answer's selected outputs that is bound to a region there.
   *
   * @param selected indices into {@code outputs} and {@code specs}
   * @param specs the signature's outputs (their names are what requests bind)
   */
  public synchronized void writeOutputs(int[] selected, Tensor[] outputs, List<TensorSpec> specs) {
    for (int i : selected) {
      String name = specs.get(i).name();
      if (this.outputs.containsKey(name)) {
        writeOutput(name, outputs[i]);
      }
    }
  }

  /** Lets go of every region this request named; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    held.values().forEach(MappedRegion::release);
    held.clear();
  }

  private Slot slot(String what, ShmRef ref) {
    if (closed) {
      throw new CancellationException("the request finished before its inputs were read");
    }
    if (!registry.enabled()) {
      throw InferenceException.invalid(what + " uses " + ShmRef.REGION + " '" + ref.region()
          + "', but " + SharedMemoryRegistry.disabledError().getMessage());
    }
    MappedRegion r = held.get(ref.region());
    if (r == null) {
      try {
        r = registry.acquire(ref.region());
      } catch (SharedMemoryException e) {
        throw InferenceException.invalid(what + ": " + e.getMessage());
      }
      held.put(ref.region(), r);
    }
    if (ref.offset() > r.byteSize() || ref.byteSize() > r.byteSize() - ref.offset()) {
      throw InferenceException.invalid(what + ": " + ShmRef.OFFSET + " " + ref.offset() + " + "
          + ShmRef.BYTE_SIZE + " " + ref.byteSize() + " reaches past the end of region '"
          + ref.region() + "' (" + r.byteSize() + " bytes)");
    }
    return new Slot(r, (int) ref.offset(), (int) ref.byteSize(), ref);
  }
}
