package io.mlserve.server.http;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeEngine;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake model "gated" (x FP32 [-1, 2] to y = 2x) loaded through the real loader and batcher,
 * whose single runner can be held inside predict until the test opens the gate: so tests can
 * fill the queue, cancel a running job or close the gateway with a request in flight,
 * deterministically and without sleeps. Thread-safe.
 */
final class GatedModel {
  static final String NAME = "gated";

  private final Semaphore gate = new Semaphore(Integer.MAX_VALUE / 2);
  private final Semaphore entered = new Semaphore(0);
  private volatile boolean holding;
  final ServedModel served;

  GatedModel(Path dir, int maxBatch, int queueCapacity) throws Exception {
    Manifest m = new Manifest(NAME, "1.0.0", "gated", "none", "fake", null, null,
        new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L)))),
        // The longest queue timeout: requests queue behind a held gate for as long as a test
        // (on a loaded host) takes to open it; shedding is not what these tests are about.
        new ServingConfig(maxBatch, 0, queueCapacity, 1, "cpu", 1,
            ServingConfig.QUEUE_TIMEOUT_US.max()), Map.of(), Map.of(),
        "test model", null);
    ModelLoader loader = new ModelLoader(List.of(new FakeEngine("gated", Runner::new)), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    served = loader.load(dir, m);
  }

  /** From now on every batch waits in predict until {@link #open()}. */
  void hold() {
    holding = true;
    gate.drainPermits();
  }

  /** Lets held and later batches run. */
  void open() {
    holding = false;
    gate.release(Integer.MAX_VALUE / 2);
  }

  /** Waits until a batch is inside predict. */
  void awaitEntered() throws InterruptedException {
    if (!entered.tryAcquire(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no batch reached the engine");
    }
  }

  private final class Runner implements ModelRunner {
    @Override
    public Tensor[] predict(Tensor[] inputs) throws InterruptedException {
      if (holding) {
        entered.release();
        gate.acquire();
        gate.release();
      }
      float[] in = inputs[0].toFloats();
      float[] out = new float[in.length];
      for (int i = 0; i < in.length; i++) {
        out[i] = in[i] * 2;
      }
      return new Tensor[] {Tensor.ofFloats("y", inputs[0].shape(), out)};
    }

    @Override
    public void close() {}
  }
}
