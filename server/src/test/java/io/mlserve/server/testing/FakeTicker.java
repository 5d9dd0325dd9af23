package io.mlserve.server.testing;

import io.mlserve.server.batch.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told. Thread-safe. */
public final class FakeTicker implements Ticker {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return now.get();
  }

  public void advance(long amount, TimeUnit unit) {
    now.addAndGet(unit.toNanos(amount));
  }
}
