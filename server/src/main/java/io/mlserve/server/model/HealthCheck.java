package io.mlserve.server.model;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Warms a runner and checks that it behaves: one batch at every power-of-two size up to the max
 * batch size (and the max itself), built from the version's example inputs or zeros (empty
 * strings for BYTES inputs); every output must have the declared datatype and shape and be
 * finite; golden outputs, when the examples have them, must match within their tolerance
 * (BYTES outputs, such as a classifier's string labels, exactly).
 *
 * <p>Its own memory is bounded before anything is built: the constructor refuses a version
 * whose largest warm-up batch would hold more than {@link #MAX_WARMUP_BATCH_BYTES} of input
 * (max batch size times the bytes of one row, from the examples or the signature).
 *
 * <p>Not thread-safe; used by one loading thread.
 */
final class HealthCheck {
  /** The most input bytes one warm-up batch may hold: 256 MiB. */
  static final long MAX_WARMUP_BATCH_BYTES = 256L << 20;

  private final String label;
  private final Manifest manifest;
  private final int maxBatch;
  private final Examples examples;

  HealthCheck(String label, Manifest manifest, Path versionDir, int maxBatch)
      throws ModelLoadException {
    this.label = label;
    this.manifest = manifest;
    this.maxBatch = maxBatch;
    try {
      this.examples = Examples.read(versionDir, manifest.signature());
    } catch (IOException e) {
      throw new ModelLoadException(label + ": unreadable examples: " + ModelLoader.reason(e), e);
    }
    long rowBytes = rowBytes();
    if (rowBytes > MAX_WARMUP_BATCH_BYTES / maxBatch) {
      throw new ModelLoadException(label + ": a batch of max_batch_size " + maxBatch + " rows of "
          + (rowBytes == Long.MAX_VALUE ? "more than " + MAX_WARMUP_BATCH_BYTES : rowBytes)
          + " input bytes each exceeds the " + (MAX_WARMUP_BATCH_BYTES >> 20) + " MiB a batch"
          + " may hold; lower serving.max_batch_size or the signature's input shapes", null);
    }
  }

  /**
   * Input bytes of one row: from the example rows when there are examples, else from the
   * signature (a variable dimension other than the first counts as 1). Long.MAX_VALUE on
   * overflow.
   */
  private long rowBytes() {
    List<TensorSpec> specs = manifest.signature().inputs();
    long total = 0;
    try {
      for (int i = 0; i < specs.size(); i++) {
        long bytes;
        if (examples != null) {
          Tensor t = examples.inputs()[i];
          bytes = t.data().length / Math.max(1, t.dim(0));
        } else {
          bytes = Math.multiplyExact(Tensor.elementCount(concreteShape(specs.get(i), 1)),
              Tensors.zeroElementBytes(DataType.parse(specs.get(i).datatype())));
        }
        total = Math.addExact(total, bytes);
      }
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
    return total;
  }

  void run(ModelRunner runner) throws ModelLoadException {
    for (int size : batchSizes()) {
      Tensor[] inputs = inputsOfRows(size);
      Tensor[] outputs = predict(runner, inputs, "warm-up at batch " + size);
      checkOutputs(outputs, size);
    }
    if (examples != null && examples.outputs() != null) {
      checkGolden(runner);
    }
  }

  private List<Integer> batchSizes() {
    // The sizes batches run at (BucketedRunner): warming each means the engine meets no new
    // input shape while serving.
    return java.util.Arrays.stream(BucketedRunner.buckets(maxBatch)).boxed().toList();
  }

  private Tensor[] predict(ModelRunner runner, Tensor[] inputs, String what)
      throws ModelLoadException {
    try {
      return runner.predict(inputs);
    } catch (Exception e) {
      throw new ModelLoadException(label + ": " + what + " failed: " + ModelLoader.reason(e), e);
    }
  }

  private Tensor[] inputsOfRows(int rows) {
    List<TensorSpec> specs = manifest.signature().inputs();
    Tensor[] out = new Tensor[specs.size()];
    for (int i = 0; i < out.length; i++) {
      TensorSpec spec = specs.get(i);
      if (examples != null) {
        out[i] = repeatRows(examples.inputs()[i], rows);
      } else {
        long[] shape = concreteShape(spec, rows);
        out[i] = Tensors.zeros(spec.name(), DataType.parse(spec.datatype()), shape);
      }
    }
    return out;
  }

  private static long[] concreteShape(TensorSpec spec, int rows) {
    long[] shape = spec.shape().stream().mapToLong(Long::longValue).toArray();
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == -1) {
        shape[d] = d == 0 ? rows : 1;
      }
    }
    return shape;
  }

  private static Tensor repeatRows(Tensor source, int rows) {
    long have = source.dim(0);
    if (have == rows) {
      return source;
    }
    List<Tensor> parts = new ArrayList<>();
    int[] one = new int[(int) have];
    Arrays.fill(one, 1);
    Tensor[] singleRows = Tensors.split(source, one);
    for (int r = 0; r < rows; r++) {
      parts.add(singleRows[(int) (r % have)]);
    }
    return Tensors.concat(source.name(), parts);
  }

  private void checkOutputs(Tensor[] outputs, int rows) throws ModelLoadException {
    List<TensorSpec> specs = manifest.signature().outputs();
    if (outputs.length != specs.size()) {
      throw new ModelLoadException(
          label + ": health check: model returned " + outputs.length + " outputs, the signature "
              + "declares " + specs.size(), null);
    }
    for (int i = 0; i < specs.size(); i++) {
      TensorSpec spec = specs.get(i);
      Tensor t = outputs[i];
      DataType want = DataType.parse(spec.datatype());
      if (t.dataType() != want) {
        throw new ModelLoadException(label + ": health check: output '" + spec.name()
            + "' is " + t.dataType() + ", the signature declares " + want, null);
      }
      long[] declared = spec.shape().stream().mapToLong(Long::longValue).toArray();
      long[] got = t.shape();
      boolean ok = declared.length == got.length;
      for (int d = 0; ok && d < declared.length; d++) {
        long expect = d == 0 && declared[0] == -1 ? rows : declared[d];
        ok = expect == -1 || expect == got[d];
      }
      if (!ok) {
        throw new ModelLoadException(label + ": health check: output '" + spec.name()
            + "' has shape " + Arrays.toString(got) + " for " + rows + " rows, the signature "
            + "declares " + Arrays.toString(declared), null);
      }
      if (want == DataType.FP32 || want == DataType.FP64 || want == DataType.FP16) {
        int n = (int) Tensor.elementCount(got);
        for (int k = 0; k < n; k++) {
          double v = Tensors.elementAsDouble(t, k);
          if (!Double.isFinite(v)) {
            throw new ModelLoadException(label + ": health check: output '" + spec.name()
                + "' has a non-finite value (" + v + ") at element " + k, null);
          }
        }
      }
    }
  }

  private void checkGolden(ModelRunner runner) throws ModelLoadException {
    Tensor[] in = examples.inputs();
    long rows = in[0].dim(0);
    if (rows > maxBatch) {
      // Check the first max-batch rows; the examples file may hold more than one batch.
      in = Arrays.stream(in).map(t -> firstRows(t, maxBatch)).toArray(Tensor[]::new);
      rows = maxBatch;
    }
    Tensor[] got = predict(runner, in, "golden examples");
    checkOutputs(got, (int) rows);
    for (int i = 0; i < got.length; i++) {
      Tensor want = firstRows(examples.outputs()[i], (int) rows);
      int n = (int) Tensor.elementCount(want.shape());
      if (Tensor.elementCount(got[i].shape()) != n) {
        throw new ModelLoadException(label + ": golden output '" + want.name() + "' has "
            + n + " values, the model gave " + Tensor.elementCount(got[i].shape()), null);
      }
      if (want.dataType() == DataType.BYTES) {
        checkGoldenBytes(want, got[i]);
        continue;
      }
      for (int k = 0; k < n; k++) {
        double w = Tensors.elementAsDouble(want, k);
        double g = Tensors.elementAsDouble(got[i], k);
        if (!(Math.abs(w - g) <= examples.tolerance() * Math.max(1.0, Math.abs(w)))) {
          throw new ModelLoadException(label + ": golden output '" + want.name()
              + "' differs at element " + k + ": expected " + w + ", got " + g
              + " (tolerance " + examples.tolerance() + ")", null);
        }
      }
    }
  }

  /** BYTES golden outputs match exactly, element by element (no tolerance applies). */
  private void checkGoldenBytes(Tensor want, Tensor got) throws ModelLoadException {
    List<byte[]> w = BytesElements.decode(want);
    List<byte[]> g = BytesElements.decode(got);
    for (int k = 0; k < w.size(); k++) {
      if (!Arrays.equals(w.get(k), g.get(k))) {
        throw new ModelLoadException(label + ": golden output '" + want.name()
            + "' differs at element " + k + ": expected " + quoted(w.get(k)) + ", got "
            + quoted(g.get(k)), null);
      }
    }
  }

  /** An element for a message: its text (lossy for bytes that are not UTF-8), cut at 40. */
  private static String quoted(byte[] element) {
    String s = new String(element, StandardCharsets.UTF_8);
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
  }

  private static Tensor firstRows(Tensor t, int rows) {
    if (t.dim(0) <= rows) {
      return t;
    }
    return Tensors.split(t, new int[] {rows, (int) (t.dim(0) - rows)})[0];
  }
}
