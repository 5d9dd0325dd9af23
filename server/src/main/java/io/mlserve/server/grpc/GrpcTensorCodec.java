package io.mlserve.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelInferResponse.InferOutputTensor;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.FiniteValues;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.ValueRange;
import io.mlserve.server.triton.shm.SharedMemoryGrpc;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.server.triton.shm.ShmRequest;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Converts Open Inference Protocol messages to and from mlserve tensors: typed
 * {@code contents} or {@code raw_input_contents} (little-endian, row-major) in, the same form
 * out. {@code BYTES} tensors come as {@code contents.bytes_contents} (one entry per element) or
 * raw (per element a 4-byte little-endian length, then the bytes), and go back in the same form.
 * Every refusal is an INVALID_ARGUMENT naming the tensor, the expectation and what came.
 *
 * <p>Stateless; thread-safe.
 */
final class GrpcTensorCodec {
  private static final SharedMemoryRegistry NO_SHARED_MEMORY = SharedMemoryRegistry.disabled();

  private GrpcTensorCodec() {}

  /** Decodes the request's input tensors (in request order), refusing NaN and infinities. */
  static List<Tensor> decodeInputs(ModelInferRequest req) {
    return decodeInputs(req, true);
  }

  /**
   * Decodes the request's input tensors (in request order); inputs that name a shared-memory
   * region are refused (no registry).
   *
   * @param checkFinite refuse a NaN or infinite FP16/FP32/FP64 element, naming it
   */
  static List<Tensor> decodeInputs(ModelInferRequest req, boolean checkFinite) {
    return decodeInputs(req, checkFinite, new ShmRequest(NO_SHARED_MEMORY));
  }

  /**
   * Decodes the request's input tensors (in request order).
   *
   * @param checkFinite refuse a NaN or infinite FP16/FP32/FP64 element, naming it
   * @param shm where inputs with {@code shared_memory_*} parameters are read from; the others
   *     take the entries of {@code raw_input_contents} in order (as Triton: one entry per input
   *     not in shared memory)
   */
  static List<Tensor> decodeInputs(ModelInferRequest req, boolean checkFinite, ShmRequest shm) {
    int n = req.getInputsCount();
    if (n == 0) {
      throw InferenceException.invalid("request has no inputs");
    }
    int rawCount = req.getRawInputContentsCount();
    boolean raw = rawCount > 0;
    // Scanned only for raw requests: usesRaw, at the answer, scans only the others.
    int inShm = raw ? SharedMemoryGrpc.inputsInSharedMemory(req) : 0;
    if (raw && rawCount != n - inShm) {
      throw InferenceException.invalid(
          "raw_input_contents has " + rawCount + " entries for " + (n - inShm) + " inputs"
              + (inShm > 0 ? " not in shared memory" : "") + "; give one per input, in the "
              + "order of inputs");
    }
    List<Tensor> out = new ArrayList<>(n);
    int rawIndex = 0;
    for (int i = 0; i < n; i++) {
      InferInputTensor in = req.getInputs(i);
      DataType type;
      try {
        type = DataType.parse(in.getDatatype());
      } catch (IllegalArgumentException e) {
        throw InferenceException.invalid("input '" + in.getName() + "': " + e.getMessage());
      }
      long[] shape = shapeOf(in);
      Tensor t = SharedMemoryGrpc.input(shm, in, type, shape);
      if (t == null && type == DataType.BYTES) {
        if (raw) {
          int r = rawIndex++;
          out.add(rawBytes(in, req.getRawInputContents(r), r, shape));
        } else {
          out.add(typedBytesElements(in, shape));
        }
        continue;
      }
      if (t == null) {
        t = inMessage(req, in, type, shape, raw ? rawIndex++ : -1);
      }
      if (checkFinite) {
        int bad = FiniteValues.firstNonFinite(t);
        if (bad >= 0) {
          throw InferenceException.invalid("input '" + in.getName() + "': element " + bad + " "
              + ValueRange.position(shape, bad) + " is " + FiniteValues.valueAt(t, bad)
              + "; the server refuses NaN and infinite values (--check-finite)");
        }
      }
      out.add(t);
    }
    return out;
  }

  /** A BYTES input from raw_input_contents[i], its length prefixes checked against the shape. */
  private static Tensor rawBytes(InferInputTensor in, ByteString bytes, int i, long[] shape) {
    if (in.hasContents()) {
      throw InferenceException.invalid(
          "input '" + in.getName() + "' has typed contents although raw_input_contents is "
              + "used; use one form for all inputs");
    }
    long count = elementCount(in, shape);
    try {
      return new Tensor(in.getName(), DataType.BYTES, shape, bytes.toByteArray());
    } catch (IllegalArgumentException e) {
      String why = e.getMessage().replace("tensor '" + in.getName() + "': ", "");
      throw InferenceException.invalid("input '" + in.getName() + "': raw_input_contents[" + i
          + "] is not " + count + " length-prefixed BYTES elements (shape "
          + Arrays.toString(shape) + "): " + why);
    }
  }

  /** A BYTES input from contents.bytes_contents, one entry per element. */
  private static Tensor typedBytesElements(InferInputTensor in, long[] shape) {
    long count = elementCount(in, shape);
    InferTensorContents c = in.getContents();
    if (c.getBytesContentsCount() != count) {
      throw InferenceException.invalid(
          "input '" + in.getName() + "': shape " + in.getShapeList() + " needs " + count
              + " BYTES values in contents.bytes_contents, got " + c.getBytesContentsCount());
    }
    List<byte[]> elements = new ArrayList<>(c.getBytesContentsCount());
    for (ByteString b : c.getBytesContentsList()) {
      elements.add(b.toByteArray());
    }
    try {
      return new Tensor(in.getName(), DataType.BYTES, shape, BytesElements.encode(elements));
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("input '" + in.getName() + "': " + e.getMessage());
    }
  }

  private static long elementCount(InferInputTensor in, long[] shape) {
    try {
      return Tensor.elementCount(shape);
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("input '" + in.getName() + "': " + e.getMessage());
    }
  }

  /** An input whose bytes the message carries: raw entry {@code rawIndex}, else typed. */
  private static Tensor inMessage(
      ModelInferRequest req, InferInputTensor in, DataType type, long[] shape, int rawIndex) {
    int want;
    try {
      want = Tensor.byteSize(in.getName(), type, shape);
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("input '" + in.getName() + "': shape "
          + in.getShapeList() + " of " + type + " is too large");
    }
    long count = want / type.byteSize();
    if (rawIndex < 0) {
      return new Tensor(in.getName(), type, shape, typedBytes(in, type, count));
    }
    if (in.hasContents()) {
      throw InferenceException.invalid(
          "input '" + in.getName() + "' has typed contents although raw_input_contents is "
              + "used; use one form for all inputs");
    }
    ByteString bytes = req.getRawInputContents(rawIndex);
    if (bytes.size() != want) {
      throw InferenceException.invalid(
          "input '" + in.getName() + "': shape " + Arrays.toString(shape) + " of " + type
              + " needs " + want + " bytes, raw_input_contents[" + rawIndex + "] has "
              + bytes.size());
    }
    return new Tensor(in.getName(), type, shape, bytes.toByteArray());
  }

  /**
   * Whether the request sent its data raw or in shared memory (and so wants raw outputs, as
   * Triton always answers).
   */
  static boolean usesRaw(ModelInferRequest req) {
    return req.getRawInputContentsCount() > 0 || SharedMemoryGrpc.inputsInSharedMemory(req) > 0;
  }

  /**
   * Indices (into the signature's outputs) of the outputs the request asked for; all when it
   * names none.
   */
  static int[] selectOutputs(ModelInferRequest req, List<TensorSpec> outputs) {
    int asked = req.getOutputsCount();
    if (asked == 0) {
      int[] all = new int[outputs.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] sel = new int[asked];
    for (int k = 0; k < asked; k++) {
      String name = req.getOutputs(k).getName();
      int idx = -1;
      for (int i = 0; i < outputs.size(); i++) {
        if (outputs.get(i).name().equals(name)) {
          idx = i;
          break;
        }
      }
      if (idx < 0) {
        throw InferenceException.invalid(
            "unknown output '" + name + "'; the model has "
                + outputs.stream().map(TensorSpec::name).toList());
      }
      for (int j = 0; j < k; j++) {
        if (sel[j] == idx) {
          throw InferenceException.invalid(
              "output '" + name + "' is requested twice; name each output once");
        }
      }
      sel[k] = idx;
    }
    return sel;
  }

  /** Builds the response in the form the request used. */
  static ModelInferResponse encode(
      String model, String version, String id, Tensor[] outputs, int[] selected, boolean raw) {
    return encode(model, version, id, outputs, selected, raw, idx -> false);
  }

  /**
   * Builds the response in the form the request used; the outputs whose index (into the
   * signature's outputs) {@code elsewhere} accepts (written to shared memory) carry their name, datatype and shape but no data (an empty
   * {@code raw_output_contents} entry keeps the entries in step with the outputs, as Triton).
   */
  static ModelInferResponse encode(String model, String version, String id, Tensor[] outputs,
      int[] selected, boolean raw, IntPredicate elsewhere) {
    ModelInferResponse.Builder b =
        ModelInferResponse.newBuilder().setModelName(model).setModelVersion(version).setId(id);
    for (int idx : selected) {
      Tensor t = outputs[idx];
      InferOutputTensor.Builder o =
          InferOutputTensor.newBuilder().setName(t.name()).setDatatype(t.dataType().wireName());
      for (long d : t.shape()) {
        o.addShape(d);
      }
      if (elsewhere.test(idx)) {
        if (raw) {
          b.addRawOutputContents(ByteString.EMPTY);
        }
      } else if (raw) {
        // Tensor data is immutable by contract, so it can back the ByteString without a copy.
        // A BYTES tensor's data is already the raw layout (length-prefixed elements).
        b.addRawOutputContents(UnsafeByteOperations.unsafeWrap(t.data()));
      } else if (t.dataType() == DataType.BYTES) {
        o.setContents(bytesContents(t));
      } else {
        o.setContents(typedContents(t));
      }
      b.addOutputs(o);
    }
    return b.build();
  }

  private static long[] shapeOf(InferInputTensor in) {
    long[] shape = new long[in.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = in.getShape(d);
      if (shape[d] < 0) {
        throw InferenceException.invalid(
            "input '" + in.getName() + "': shape " + in.getShapeList() + " has a negative "
                + "dimension");
      }
    }
    return shape;
  }

  private static byte[] typedBytes(InferInputTensor in, DataType type, long count) {
    InferTensorContents c = in.getContents();
    int got = countFor(c, type);
    if (got != count) {
      throw InferenceException.invalid(
          "input '" + in.getName() + "': shape " + in.getShapeList() + " needs " + count + " "
              + type + " values in contents." + fieldFor(type) + ", got " + got);
    }
    ByteBuffer buf =
        ByteBuffer.allocate(Math.multiplyExact((int) count, type.byteSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) count;
    switch (type) {
      case FP32 -> {
        for (int i = 0; i < n; i++) {
          buf.putFloat(c.getFp32Contents(i));
        }
      }
      case FP64 -> {
        for (int i = 0; i < n; i++) {
          buf.putDouble(c.getFp64Contents(i));
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          buf.put((byte) (c.getBoolContents(i) ? 1 : 0));
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          buf.put((byte) narrow(in, type, c.getIntContents(i), i));
        }
      }
      case INT16 -> {
        for (int i = 0; i < n; i++) {
          buf.putShort((short) narrow(in, type, c.getIntContents(i), i));
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          buf.putInt(c.getIntContents(i));
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          buf.putLong(c.getInt64Contents(i));
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          buf.put((byte) narrow(in, type, c.getUintContents(i), i));
        }
      }
      case UINT16 -> {
        for (int i = 0; i < n; i++) {
          buf.putShort((short) narrow(in, type, c.getUintContents(i), i));
        }
      }
      case UINT32 -> {
        for (int i = 0; i < n; i++) {
          buf.putInt(c.getUintContents(i));
        }
      }
      case UINT64 -> {
        for (int i = 0; i < n; i++) {
          buf.putLong(c.getUint64Contents(i));
        }
      }
      case FP16 -> throw InferenceException.invalid(
          "input '" + in.getName() + "': FP16 has no typed contents field; send it in "
              + "raw_input_contents");
    }
    return buf.array();
  }

  /**
   * A typed contents value for a type narrower than its 32-bit field, refused when it does not
   * fit (a cast would wrap it: 300 as INT8 is 44). UINT fields are unsigned: read as such.
   */
  private static int narrow(InferInputTensor in, DataType type, int v, int i) {
    long value = type == DataType.UINT8 || type == DataType.UINT16 ? Integer.toUnsignedLong(v) : v;
    if (!ValueRange.fitsInteger(type, value)) {
      throw InferenceException.invalid(ValueRange.outOfRange("input '" + in.getName() + "'",
          type, ValueRange.position(shapeOf(in), i), Long.toString(value)));
    }
    return v;
  }

  private static int countFor(InferTensorContents c, DataType type) {
    return switch (type) {
      case FP32 -> c.getFp32ContentsCount();
      case FP64 -> c.getFp64ContentsCount();
      case BOOL -> c.getBoolContentsCount();
      case INT8, INT16, INT32 -> c.getIntContentsCount();
      case INT64 -> c.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
      case UINT64 -> c.getUint64ContentsCount();
      case FP16 -> 0;
      case BYTES -> c.getBytesContentsCount();
    };
  }

  private static String fieldFor(DataType type) {
    return switch (type) {
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP16 -> "(none: use raw_input_contents)";
      case BYTES -> "bytes_contents";
    };
  }

  /** A BYTES output as bytes_contents, one entry per element, each a view of the data. */
  private static InferTensorContents bytesContents(Tensor t) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    int[] offsets = BytesElements.offsets(t.name(), t.data(), Tensor.elementCount(t.shape()));
    for (int i = 0; i + 1 < offsets.length; i++) {
      int from = offsets[i] + 4;
      c.addBytesContents(UnsafeByteOperations.unsafeWrap(t.data(), from, offsets[i + 1] - from));
    }
    return c.build();
  }

  private static InferTensorContents typedContents(Tensor t) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    ByteBuffer b = t.buffer();
    int n = t.data().length / t.dataType().byteSize();
    switch (t.dataType()) {
      case FP32 -> {
        for (int i = 0; i < n; i++) {
          c.addFp32Contents(b.getFloat(i * 4));
        }
      }
      case FP64 -> {
        for (int i = 0; i < n; i++) {
          c.addFp64Contents(b.getDouble(i * 8));
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          c.addBoolContents(b.get(i) != 0);
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          c.addIntContents(b.get(i));
        }
      }
      case INT16 -> {
        for (int i = 0; i < n; i++) {
          c.addIntContents(b.getShort(i * 2));
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          c.addIntContents(b.getInt(i * 4));
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          c.addInt64Contents(b.getLong(i * 8));
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          c.addUintContents(b.get(i) & 0xFF);
        }
      }
      case UINT16 -> {
        for (int i = 0; i < n; i++) {
          c.addUintContents(b.getShort(i * 2) & 0xFFFF);
        }
      }
      case UINT32 -> {
        for (int i = 0; i < n; i++) {
          c.addUintContents(b.getInt(i * 4));
        }
      }
      case UINT64 -> {
        for (int i = 0; i < n; i++) {
          c.addUint64Contents(b.getLong(i * 8));
        }
      }
      case FP16 -> throw new InferenceException(
          InferenceException.Kind.INVALID_ARGUMENT,
          "output '" + t.name() + "' is FP16, which has no typed contents field; send the "
              + "request with raw_input_contents to get raw outputs");
    }
    return c.build();
  }
}
