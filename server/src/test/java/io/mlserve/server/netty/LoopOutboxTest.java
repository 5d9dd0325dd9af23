package io.mlserve.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class LoopOutboxTest {
  /** A loop that runs its tasks only when the test says so. */
  private static final class StepLoop implements java.util.concurrent.Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      tasks.add(r);
    }

    void runAll() {
      Runnable r;
      while ((r = tasks.poll()) != null) {
        r.run();
      }
    }
  }

  @Test
  void workQueuedBeforeTheLoopRunsGoesAsOneTaskInOrder() {
    StepLoop loop = new StepLoop();
    LoopOutbox outbox = new LoopOutbox(loop);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      outbox.execute(() -> ran.add(n));
    }
    assertEquals(1, loop.tasks.size());
    loop.runAll();
    assertEquals(List.of(0, 1, 2, 3, 4), ran);
    // the next answer schedules a new drain
    outbox.execute(() -> ran.add(5));
    assertEquals(1, loop.tasks.size());
    loop.runAll();
    assertEquals(List.of(0, 1, 2, 3, 4, 5), ran);
  }

  @Test
  void workQueuedWhileDrainingRunsInTheSameDrain() {
    StepLoop loop = new StepLoop();
    LoopOutbox outbox = new LoopOutbox(loop);
    List<String> ran = new ArrayList<>();
    outbox.execute(() -> {
      ran.add("first");
      outbox.execute(() -> ran.add("queued meanwhile"));
    });
    loop.runAll();
    assertEquals(List.of("first", "queued meanwhile"), ran);
    assertTrue(loop.tasks.isEmpty(), "no second drain was scheduled");
  }

  @Test
  void aFailingItemDoesNotStrandTheRest() {
    StepLoop loop = new StepLoop();
    LoopOutbox outbox = new LoopOutbox(loop);
    List<String> ran = new ArrayList<>();
    outbox.execute(() -> {
      throw new IllegalStateException("boom");
    });
    outbox.execute(() -> ran.add("after"));
    loop.runAll();
    assertEquals(List.of("after"), ran);
  }

  @Test
  void aLoopThatRefusesWorkLeavesItToTheCaller() {
    LoopOutbox outbox = new LoopOutbox(r -> {
      throw new RejectedExecutionException("shutting down");
    });
    List<String> ran = new ArrayList<>();
    outbox.execute(() -> ran.add("a"));
    outbox.execute(() -> ran.add("b"));
    assertEquals(List.of("a", "b"), ran);
  }

  @Test
  void everyItemFromManyProducersRunsExactlyOnceAndDrainsNeverOverlap() throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    ExecutorService loop = Executors.newSingleThreadExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      LoopOutbox outbox = new LoopOutbox(loop);
      AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
      AtomicInteger running = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(producers * perProducer);
      for (int p = 0; p < producers; p++) {
        int base = p * perProducer;
        pool.execute(() -> {
          for (int i = 0; i < perProducer; i++) {
            int id = base + i;
            outbox.execute(() -> {
              if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              runs.incrementAndGet(id);
              running.decrementAndGet();
              done.countDown();
            });
          }
        });
      }
      assertTrue(done.await(60, TimeUnit.SECONDS), "every item ran");
      assertEquals(0, overlaps.get(), "drains that overlapped");
      for (int i = 0; i < runs.length(); i++) {
        assertEquals(1, runs.get(i), "runs of item " + i);
      }
    } finally {
      pool.shutdownNow();
      loop.shutdownNow();
    }
  }
}
