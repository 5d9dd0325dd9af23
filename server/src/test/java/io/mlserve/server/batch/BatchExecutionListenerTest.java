package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link BatchListener#onExecution}: once per successful engine call, with its phase times. */
class BatchExecutionListenerTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final long INFER = TimeUnit.MILLISECONDS.toNanos(3);

  private final FakeTicker ticker = new FakeTicker();
  private final FakeRunner fake = new FakeRunner();
  private final List<long[]> executions = new ArrayList<>();
  private final ModelRunner runner = new ModelRunner() {
    @Override
    public Tensor[] predict(Tensor[] inputs) {
      ticker.advance(INFER, TimeUnit.NANOSECONDS);
      return fake.predict(inputs);
    }

    @Override
    public void close() {}
  };
  private final DynamicBatcher batcher = new DynamicBatcher("m:1",
      new BatchSettings(8, 0, 100, HOUR), List.of(runner), ticker, new BatchListener() {
        @Override
        public void onExecution(int requests, int rows, long inputNanos, long inferNanos,
            long outputNanos) {
          executions.add(new long[] {requests, rows, inputNanos, inferNanos, outputNanos});
        }
      });

  private CompletableFuture<BatchResult> submit(int rows) {
    return batcher.submit(new Tensor[] {FakeRunner.rows(rows, 0)}, rows, Long.MAX_VALUE);
  }

  @Test
  void joinedRequestsReportOneExecutionWithTheEngineTimeAsInfer() throws Exception {
    CompletableFuture<BatchResult> a = submit(1);
    CompletableFuture<BatchResult> b = submit(3);
    assertTrue(batcher.runOnce(0));
    a.get();
    b.get();
    assertEquals(1, executions.size());
    long[] e = executions.get(0);
    assertEquals(List.of(2L, 4L, 0L, INFER, 0L), List.of(e[0], e[1], e[2], e[3], e[4]));
  }

  @Test
  void aLoneRequestReportsItsRows() throws Exception {
    submit(5);
    assertTrue(batcher.runOnce(0));
    assertEquals(1, executions.size());
    assertEquals(List.of(1L, 5L, INFER), List.of(executions.get(0)[0], executions.get(0)[1],
        executions.get(0)[3]));
  }

  @Test
  void aFailedEngineCallIsNoExecution() {
    fake.failNext(1);
    CompletableFuture<BatchResult> a = submit(1);
    assertTrue(batcher.runOnce(0));
    assertTrue(a.isCompletedExceptionally());
    assertEquals(0, executions.size());
  }
}
