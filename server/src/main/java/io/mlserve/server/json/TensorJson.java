package io.mlserve.server.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * Writes tensor elements as JSON numbers (booleans for BOOL, strings for BYTES: see
 * {@link Utf8Text}) with a streaming generator. Stateless; thread-safe.
 */
public final class TensorJson {
  private TensorJson() {}

  /**
   * Writes the tensor as arrays nested by its shape; with {@code squeezeFirst}, the leading
   * dimension (which must be 1) is left out, so one row comes back as a 1-D array.
   */
  public static void writeNested(JsonGenerator g, Tensor t, boolean squeezeFirst)
      throws IOException {
    long[] shape = t.shape();
    int from = squeezeFirst && shape.length > 0 ? 1 : 0;
    Source s = Source.of(t);
    if (shape.length - from == 0) {
      writeElement(g, s, 0);
      return;
    }
    writeLevel(g, s, shape, from, new int[] {0});
  }

  /** Writes row {@code row} (along dimension 0) as arrays nested by the remaining shape. */
  static void writeRow(JsonGenerator g, Tensor t, long row) throws IOException {
    writeRow(g, Source.of(t), row);
  }

  private static void writeRow(JsonGenerator g, Source s, long row) throws IOException {
    long[] shape = s.shape();
    if (shape.length == 1) {
      writeElement(g, s, (int) row);
      return;
    }
    long rowElems = Tensor.elementCount(shape) / Math.max(1, shape[0]);
    writeLevel(g, s, shape, 1, new int[] {(int) (row * rowElems)});
  }

  /**
   * Writes the predictions of a chunked run as one array with an entry per instance: the
   * instance's output, or, for a model with several outputs, an object of output name to it.
   *
   * @param chunks each chunk's outputs in signature order
   * @param batchable whether chunk outputs carry a leading row dimension
   */
  public static void writePredictions(
      JsonGenerator g, Tensor[][] chunks, boolean batchable, java.util.List<String> names)
      throws IOException {
    g.writeStartArray();
    for (Tensor[] out : chunks) {
      long rows = batchable ? out[0].dim(0) : 1;
      Source[] sources = new Source[out.length];
      for (int o = 0; o < out.length; o++) {
        sources[o] = Source.of(out[o]);
      }
      for (long r = 0; r < rows; r++) {
        if (out.length > 1) {
          g.writeStartObject();
        }
        for (int o = 0; o < out.length; o++) {
          if (out.length > 1) {
            g.writeFieldName(names.get(o));
          }
          if (batchable) {
            writeRow(g, sources[o], r);
          } else {
            writeNested(g, out[o], false);
          }
        }
        if (out.length > 1) {
          g.writeEndObject();
        }
      }
    }
    g.writeEndArray();
  }

  /** Writes all elements as one flat array, row-major. */
  public static void writeFlat(JsonGenerator g, Tensor t) throws IOException {
    Source s = Source.of(t);
    int n = (int) Tensor.elementCount(t.shape());
    if (t.dataType() == DataType.FP32 && writeFloats(g, s.b(), 0, n)) {
      return;
    }
    g.writeStartArray();
    for (int i = 0; i < n; i++) {
      writeElement(g, s, i);
    }
    g.writeEndArray();
  }

  /**
   * A tensor being written: its data, and for BYTES the offset of each element (found once,
   * not per element).
   */
  private record Source(Tensor t, ByteBuffer b, int[] offsets) {
    static Source of(Tensor t) {
      int[] offsets = t.dataType().isFixedSize() ? null
          : BytesElements.offsets(t.name(), t.data(), Tensor.elementCount(t.shape()));
      return new Source(t, t.buffer(), offsets);
    }

    long[] shape() {
      return t.shape();
    }
  }

  private static void writeLevel(
      JsonGenerator g, Source s, long[] shape, int dim, int[] next)
      throws IOException {
    if (dim == shape.length - 1 && s.t().dataType() == DataType.FP32
        && writeFloats(g, s.b(), next[0], (int) shape[dim])) {
      next[0] += (int) shape[dim];
      return;
    }
    g.writeStartArray();
    if (dim == shape.length - 1) {
      for (long i = 0; i < shape[dim]; i++) {
        writeElement(g, s, next[0]++);
      }
    } else {
      for (long i = 0; i < shape[dim]; i++) {
        writeLevel(g, s, shape, dim + 1, next);
      }
    }
    g.writeEndArray();
  }

  /**
   * Writes {@code n} FP32 elements from element {@code from} as one JSON array, formatted here
   * rather than number by number through the generator (see {@link FloatText}).
   *
   * @return false, having written nothing, when an element is NaN or infinite: the caller then
   *     writes the array element by element with the generator's rules for those
   */
  private static boolean writeFloats(JsonGenerator g, ByteBuffer b, int from, int n)
      throws IOException {
    char[] text = new char[2 + n * (FloatText.MAX_CHARS + 1)]; // brackets, elements and commas
    int pos = 0;
    text[pos++] = '[';
    for (int i = 0; i < n; i++) {
      float v = b.getFloat((from + i) * 4);
      if (i > 0) {
        text[pos++] = ',';
      }
      int end = FloatText.append(v, text, pos);
      if (end < 0) {
        if (!Float.isFinite(v)) {
          return false;
        }
        // Jackson's shortest (Schubfach); at most 15 chars ("-1.17549435E-38"), so it fits the
        // MAX_CHARS each element was given
        String general = NumberOutput.toString(v, true);
        general.getChars(0, general.length(), text, pos);
        end = pos + general.length();
      }
      pos = end;
    }
    text[pos++] = ']';
    g.writeRawValue(text, 0, pos);
    return true;
  }

  private static void writeElement(JsonGenerator g, Source s, int i) throws IOException {
    Tensor t = s.t();
    DataType type = t.dataType();
    if (type == DataType.BYTES) {
      int[] o = s.offsets();
      g.writeString(Utf8Text.decode("output '" + t.name() + "'", t, o[i], o[i + 1], i));
      return;
    }
    ByteBuffer b = s.b();
    int off = i * type.byteSize();
    switch (type) {
      case FP32 -> g.writeNumber(b.getFloat(off));
      case FP64 -> g.writeNumber(b.getDouble(off));
      case BOOL -> g.writeBoolean(b.get(off) != 0);
      case INT8 -> g.writeNumber(b.get(off));
      case UINT8 -> g.writeNumber(b.get(off) & 0xFF);
      case INT16 -> g.writeNumber(b.getShort(off));
      case UINT16 -> g.writeNumber(b.getShort(off) & 0xFFFF);
      case INT32 -> g.writeNumber(b.getInt(off));
      case UINT32 -> g.writeNumber(b.getInt(off) & 0xFFFFFFFFL);
      case INT64 -> g.writeNumber(b.getLong(off));
      case UINT64 -> {
        long v = b.getLong(off);
        if (v >= 0) {
          g.writeNumber(v);
        } else {
          g.writeNumber(new BigInteger(Long.toUnsignedString(v)));
        }
      }
      case FP16 -> g.writeNumber((float) Tensors.elementAsDouble(t, i));
      default -> throw new IllegalStateException("unhandled datatype " + type);
    }
  }
}
