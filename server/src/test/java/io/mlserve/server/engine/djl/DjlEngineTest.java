package io.mlserve.server.engine.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The real libtorch engine on the committed demo model. */
class DjlEngineTest {
  private static byte[] rows(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static float[] floats(Tensor t) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[t.data().length / 4];
    for (int i = 0; i < f.length; i++) {
      f[i] = b.getFloat();
    }
    return f;
  }

  /** Native threads of this process whose name starts with {@code prefix} (Linux /proc). */
  private static long nativeThreadsNamed(String prefix) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.filter(t -> {
        try {
          return Files.readString(t.resolve("comm")).startsWith(prefix);
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void aRunnerThreadRunsWithoutAnOpenMpTeam() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "needs more than one core");
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    JsonNode examples = DemoModel.examples();
    float[] input = DemoModel.row(examples.get("inputs"), 0);
    float[] many = new float[64 * input.length];
    for (int r = 0; r < 64; r++) {
      System.arraycopy(input, 0, many, r * input.length, input.length);
    }
    try (LoadedModel model = new DjlEngine().load(DemoModel.dir(), manifest);
        ModelRunner runner = model.newRunner(1)) {
      AtomicLong threads = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicReference<float[]> output = new AtomicReference<>();
      // libtorch keeps the OpenMP/MKL thread count per native thread; a thread that never set it
      // runs MKL's matrix products on a team of one thread per core, and those helper threads
      // take the creating thread's name.
      Thread worker = new Thread(() -> {
        try {
          Tensor[] big = {new Tensor("curve", DataType.FP32, new long[] {64, input.length},
              rows(many))};
          for (int i = 0; i < 20; i++) {
            runner.predict(big);
          }
          output.set(floats(runner.predict(new Tensor[] {
              new Tensor("curve", DataType.FP32, new long[] {1, input.length}, rows(input))})[0]));
          threads.set(nativeThreadsNamed("djl-engine-test"));
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "djl-engine-test-worker");
      worker.start();
      worker.join();
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
      assertEquals(1, threads.get(), "native threads named after the runner's thread");
      assertArrayEquals(DemoModel.row(examples.get("outputs"), 0), output.get(), 1e-5f);
    }
  }

  @Test
  void refusesANonPositiveThreadCount() throws Exception {
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    try (LoadedModel model = new DjlEngine().load(DemoModel.dir(), manifest)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.newRunner(0));
      assertEquals("intraOpThreads must be >= 1, got 0", e.getMessage());
    }
  }

  @Test
  void aFileThatIsNotAZipIsRefusedAsNotTorchScript(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    Files.write(tmp.resolve(manifest.artifact()), new byte[] {8, 8, 0x3a, 0});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DjlEngine().load(tmp, manifest).close());
    assertEquals("the artifact is not a TorchScript archive (a zip file, as torch.jit.save"
        + " writes); an ONNX model needs format onnx", e.getMessage());
  }

  @Test
  void aStartUnderWayIsSharedWithALoadOnAnotherThread() throws Exception {
    DjlEngine engine = new DjlEngine();
    Thread starter = new Thread(() -> {
      engine.start();
      engine.start(); // idempotent
    });
    starter.start();
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    try (LoadedModel model = engine.load(DemoModel.dir(), manifest);
        ModelRunner r = model.newRunner(1)) {
      Tensor[] out = r.predict(new Tensor[] {new Tensor("curve", DataType.FP32,
          new long[] {1, 24}, rows(new float[24]))});
      assertArrayEquals(new long[] {1, 24}, out[0].shape());
    }
    starter.join();
  }

  @Test
  void withoutTheGraphOptimizerBatchesRunUnpaddedAndMatchOneRowAtATime() throws Exception {
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    try (LoadedModel padded = new DjlEngine(true).load(DemoModel.dir(), manifest)) {
      assertTrue(padded.paddedBatches(), "the optimizer re-specialises per shape: pad");
    }
    if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
      try (LoadedModel byDefault = new DjlEngine().load(DemoModel.dir(), manifest)) {
        assertFalse(byDefault.paddedBatches(), "the optimizer is off unless asked for");
      }
    }
    float[] base = DemoModel.row(DemoModel.examples().get("inputs"), 0);
    int width = base.length;
    try (LoadedModel model = new DjlEngine(false).load(DemoModel.dir(), manifest);
        ModelRunner r = model.newRunner(1)) {
      assertFalse(model.paddedBatches());
      for (int size : new int[] {1, 3, 5, 7, 13, 33}) {
        float[] many = new float[size * width];
        for (int i = 0; i < many.length; i++) {
          many[i] = base[i % width] + 0.01f * (i / width);
        }
        Tensor[] out = r.predict(new Tensor[] {
            new Tensor("curve", DataType.FP32, new long[] {size, width}, rows(many))});
        assertEquals(size, out[0].dim(0), "the batch ran at its own size");
        float[] batched = floats(out[0]);
        int outWidth = batched.length / size;
        for (int row = 0; row < size; row++) {
          float[] one = java.util.Arrays.copyOfRange(many, row * width, (row + 1) * width);
          float[] single = floats(r.predict(new Tensor[] {
              new Tensor("curve", DataType.FP32, new long[] {1, width}, rows(one))})[0]);
          assertArrayEquals(single, java.util.Arrays.copyOfRange(batched, row * outWidth,
              (row + 1) * outWidth), 1e-5f, "size " + size + ", row " + row);
        }
      }
    }
  }
}
