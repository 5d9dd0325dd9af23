package io.mlserve.server.shadow;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeRunner} (y = 2x) that a test can switch, after the loader's warm-up, to throwing
 * on every call or to blocking until {@link #release} (tests release in teardown, so no thread
 * stays blocked). {@link #awaitEntered} waits for a blocked call to be inside the engine.
 * Thread-safe.
 */
final class ControlledRunner implements ModelRunner {
  enum Mode { NORMAL, THROW, BLOCK }

  private final FakeRunner doubling = new FakeRunner();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Semaphore entered = new Semaphore(0);
  private volatile Mode mode = Mode.NORMAL;

  void mode(Mode m) {
    mode = m;
  }

  void release() {
    release.countDown();
  }

  /** Waits (at most 20 s) until {@code n} blocking calls have entered the engine. */
  void awaitEntered(int n) throws InterruptedException {
    if (!entered.tryAcquire(n, 20, TimeUnit.SECONDS)) {
      throw new AssertionError("the shadow engine was not called " + n + " time(s)");
    }
  }

  @Override
  public Tensor[] predict(Tensor[] inputs) {
    switch (mode) {
      case THROW -> throw new IllegalStateException("shadow engine exploded");
      case BLOCK -> {
        entered.release();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case NORMAL -> { }
    }
    return doubling.predict(inputs);
  }

  @Override
  public void close() {
    release();
  }
}
