package io.mlserve.server.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.InputArray;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.evaluation.EnginePredictor;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reference's batch runs on the engine in chunks with at most {@link
 * EnginePredictor#QUEUED_CHUNKS} queued at once: while a chunk runs, at most one waits behind it,
 * so no chunk waits in the queue longer than one chunk's compute time (queueing a whole batch at
 * once made the last chunks exceed the instance's queue timeout on a busy host, which failed the
 * demo's reference). The answers come back row for row.
 */
class EngineOutputPredictorTest {
  @TempDir Path dir;

  @Test
  void whileAChunkRunsAtMostOneWaitsBehindIt() throws Exception {
    AtomicReference<Thread> caller = new AtomicReference<>();
    AtomicReference<ServedModel> served = new AtomicReference<>();
    List<Integer> queuedBehind = Collections.synchronizedList(new ArrayList<>());
    FakeModels models = new FakeModels(dir, Ticker.system(), new MetricsRegistry(),
        () -> new ModelRunner() {
          private final FakeRunner doubling = new FakeRunner();

          @Override
          public Tensor[] predict(Tensor[] inputs) {
            Thread t = caller.get();
            if (t != null) { // the batch's chunks, not the warm-up at load
              // wait (bounded) until the caller has queued all it will and waits for answers
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
              while (t.getState() != Thread.State.WAITING
                  && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
                Thread.onSpinWait();
              }
              queuedBehind.add(served.get().batcher().queueDepth());
            }
            return doubling.predict(inputs);
          }

          @Override
          public void close() {}
        });
    ServedModel m = models.load("m", "1.0.0");
    served.set(m);
    int rows = 64 * 6;
    ByteBuffer in = ByteBuffer.allocate(rows * 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * 2; i++) {
      in.putFloat(i);
    }
    DatasetBatch batch = new DatasetBatch(0, rows,
        List.of(new InputArray("x", "FP32", new long[] {rows, 2}, in.array())),
        new double[rows], 1);
    try {
      CompletableFuture<Tensor[]> out = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          out.complete(EnginePredictor.outputs(m, batch, Ticker.system(),
              TimeUnit.SECONDS.toNanos(60), EnginePredictor.QUEUED_CHUNKS));
        } catch (Exception e) {
          out.completeExceptionally(e);
        }
      });
      caller.set(t);
      t.start();
      Tensor y = out.get(60, TimeUnit.SECONDS)[0];
      t.join(10_000);
      assertEquals(6, queuedBehind.size(), "six chunks of 64 rows: " + queuedBehind);
      for (int depth : queuedBehind) {
        assertTrue(depth <= 1, "chunks waiting behind the running one: " + queuedBehind);
      }
      double[] values = EnginePredictor.doubles(y);
      assertEquals(rows * 2, values.length);
      for (int i = 0; i < values.length; i++) {
        assertEquals(2.0 * i, values[i], 0, "value " + i);
      }
    } finally {
      m.close();
    }
  }
}
