package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the loader sizes from a manifest's serving config: runners per instance (one for a
 * registration's check), the batcher's queue timeout, and the warm-up's memory, bounded before
 * the engine loads anything. The engine is a counting stand-in around {@link FakeRunner}.
 */
class ModelLoaderTest {
  @TempDir Path dir;

  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicInteger runners = new AtomicInteger();
  /** The nice value of the thread that ran the last batch (Linux /proc), or MIN_VALUE. */
  private final AtomicInteger niceOfLastBatch = new AtomicInteger(Integer.MIN_VALUE);

  private final InferenceEngine engine = new InferenceEngine() {
    @Override
    public boolean supports(String format) {
      return format.equals("fake");
    }

    @Override
    public LoadedModel load(Path versionDir, Manifest manifest) {
      loads.incrementAndGet();
      return new LoadedModel() {
        @Override
        public ModelRunner newRunner(int intraOpThreads) {
          runners.incrementAndGet();
          FakeRunner fake = new FakeRunner();
          return new ModelRunner() {
            @Override
            public io.mlserve.server.tensor.Tensor[] predict(
                io.mlserve.server.tensor.Tensor[] inputs) throws Exception {
              if (java.nio.file.Files.exists(Path.of("/proc/thread-self/stat"))) {
                niceOfLastBatch.set(
                    io.mlserve.server.batch.BackgroundPriorityTest.niceOfCurrentThread());
              }
              return fake.predict(inputs);
            }

            @Override
            public void close() {
              fake.close();
            }
          };
        }

        @Override
        public void close() {}
      };
    }
  };

  private final ModelLoader loader = new ModelLoader(List.of(engine), Ticker.system(),
      Function.identity(), new MetricsRegistry(), Telemetry.disabled());

  private static Manifest manifest(long columns, ServingConfig serving) {
    return new Manifest("m", "1.0.0", "fake", "none", "fake", null, null,
        new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, columns))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L, columns)))),
        serving, Map.of(), Map.of(), null, null);
  }

  @Test
  void servesWithEveryInstanceAndTheManifestsQueueTimeout() throws Exception {
    ServingConfig serving = new ServingConfig(8, 0, 100, 3, "cpu", 1, 2_500);
    try (ServedModel m = loader.load(dir, manifest(2, serving))) {
      assertEquals(3, runners.get());
      assertEquals(TimeUnit.MICROSECONDS.toNanos(2_500),
          m.batcher().settings().queueTimeoutNanos());
      assertEquals(100, m.batcher().settings().queueCapacity());
    }
  }

  @Test
  void autoscalingBoundsReachTheBatcherAndAShadowStaysFixed() throws Exception {
    ServingConfig serving = new ServingConfig(8, 0, 100, 5, "cpu", 1, 2_500).withScaling(1, 3);
    try (ServedModel m = loader.load(dir, manifest(2, serving))) {
      assertEquals(3, runners.get(), "instances is brought within the bounds");
      assertEquals(3, m.batcher().instances());
      assertEquals(1, m.batcher().scaling().min());
      assertEquals(3, m.batcher().scaling().max());
    }
    try (ServedModel m = loader.loadBackground(dir, manifest(2, serving))) {
      assertEquals(1, m.batcher().scaling().max(), "a background instance never scales");
    }
  }

  @Test
  void aShadowRunsOneInstanceAtBackgroundPriorityWithItsOwnMetrics() throws Exception {
    MetricsRegistry registry = new MetricsRegistry();
    ModelLoader withRegistry = new ModelLoader(List.of(engine), Ticker.system(),
        Function.identity(), registry, Telemetry.disabled());
    ServingConfig serving = new ServingConfig(8, 0, 100, 3, "cpu", 4);
    try (ServedModel m = withRegistry.loadBackground(dir, manifest(2, serving))) {
      assertEquals(1, runners.get(), "one instance whatever the manifest asks");
      m.infer(List.of(FakeRunner.rows(1, 1f)), Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
      if (java.nio.file.Files.exists(Path.of("/proc/thread-self/stat"))) {
        assertEquals(io.mlserve.server.batch.BackgroundPriority.NICE, niceOfLastBatch.get(),
            "the shadow's batches run at the lowest priority");
      }
      assertTrue(registry.all().isEmpty(), "the shadow's copies are not the version's traffic");
    }
    try (ServedModel m = withRegistry.load(dir, manifest(2, serving))) {
      m.infer(List.of(FakeRunner.rows(1, 1f)), Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
      if (java.nio.file.Files.exists(Path.of("/proc/thread-self/stat"))) {
        assertEquals(io.mlserve.server.batch.BackgroundPriorityTest.niceOfCurrentThread(),
            niceOfLastBatch.get(), "a served version runs at the process's priority");
      }
      assertEquals(1, registry.all().size());
    }
  }

  @Test
  void aRegistrationsCheckRunsOnOneInstanceWhateverTheManifestAsks() throws Exception {
    loader.check(dir, manifest(2, new ServingConfig(8, 0, 100, 64, "cpu", 1)));
    assertEquals(1, loads.get());
    assertEquals(1, runners.get());
  }

  @Test
  void aWarmUpBatchTooLargeIsRefusedBeforeTheEngineLoads() {
    // 4096 rows of 100,000 floats: 1.6 GB of warm-up input.
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> loader.check(dir,
        manifest(100_000, ServingConfig.defaults().withMaxBatchSize(4096))));
    assertEquals("m:1.0.0: a batch of max_batch_size 4096 rows of 400000 input bytes each"
        + " exceeds the 256 MiB a batch may hold; lower serving.max_batch_size or the"
        + " signature's input shapes", e.getMessage());
    assertEquals(0, loads.get(), "nothing was loaded or allocated");
  }

  @Test
  void badExamplesAreNamedWithoutTheServersPath() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("examples.json"), "{\"inputs\": [[1, 2], [3]]");
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> loader.check(dir, manifest(2, ServingConfig.defaults())));
    assertTrue(e.getMessage().startsWith("m:1.0.0: unreadable examples: examples.json is not"
        + " valid JSON"), e.getMessage());
    assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
    java.nio.file.Files.writeString(dir.resolve("examples.json"), "{\"tolerance\": 1}");
    e = assertThrows(ModelLoadException.class,
        () -> loader.check(dir, manifest(2, ServingConfig.defaults())));
    assertEquals("m:1.0.0: unreadable examples: examples.json: no \"inputs\"", e.getMessage());
  }

  @Test
  void aRowWhoseSizeOverflowsIsRefusedToo() {
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> loader.check(dir, manifest(Long.MAX_VALUE / 2, ServingConfig.defaults())));
    assertEquals("m:1.0.0: a batch of max_batch_size 64 rows of more than 268435456 input bytes"
        + " each exceeds the 256 MiB a batch may hold; lower serving.max_batch_size or the"
        + " signature's input shapes", e.getMessage());
    assertEquals(0, loads.get());
  }

  @Test
  void batchesArePaddedToABucketOnlyWhereTheEngineAsks() throws Exception {
    for (boolean padded : new boolean[] {true, false}) {
      List<FakeRunner> made = new java.util.concurrent.CopyOnWriteArrayList<>();
      InferenceEngine fake = new InferenceEngine() {
        @Override
        public boolean supports(String format) {
          return format.equals("fake");
        }

        @Override
        public LoadedModel load(Path versionDir, Manifest manifest) {
          return new LoadedModel() {
            @Override
            public ModelRunner newRunner(int intraOpThreads) {
              FakeRunner r = new FakeRunner();
              made.add(r);
              return r;
            }

            @Override
            public boolean paddedBatches() {
              return padded;
            }

            @Override
            public void close() {}
          };
        }
      };
      ModelLoader l = new ModelLoader(List.of(fake), Ticker.system(), Function.identity(),
          new MetricsRegistry(), Telemetry.disabled());
      try (ServedModel m = l.load(dir, manifest(2, new ServingConfig(8, 0, 100, 1, "cpu", 1)))) {
        m.infer(List.of(FakeRunner.rows(5, 1f)), Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
        List<Long> rows = made.get(0).batchRows();
        assertEquals(padded ? 8L : 5L, rows.get(rows.size() - 1),
            "the engine saw the 5-row batch " + (padded ? "padded to 8" : "as it came"));
      }
    }
  }
}
