package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreLeaseTest {
  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };

  private StoreLease lease(String holder) {
    return new StoreLease(ModelStore.open(dir), "rollout", holder, Duration.ofSeconds(10), clock);
  }

  @Test
  void oneHolderAtATimeUntilItExpiresOrIsReleased() {
    StoreLease a = lease("server-a");
    StoreLease b = lease("server-b");
    assertTrue(a.tryAcquire());
    assertFalse(b.tryAcquire(), "held by a");
    now.addAndGet(9_000);
    assertTrue(a.tryAcquire(), "a renews its own");
    now.addAndGet(9_000);
    assertFalse(b.tryAcquire(), "the renewal moved the expiry");
    now.addAndGet(1_001);
    assertTrue(b.tryAcquire(), "a stopped renewing: b takes over");
    assertFalse(a.tryAcquire(), "and a cannot take it back while b renews");
    assertEquals("server-b", a.current().orElseThrow().holder());
    a.release();
    assertEquals("server-b", b.current().orElseThrow().holder(), "a releases nothing it lacks");
    b.release();
    assertTrue(a.current().isEmpty());
    assertTrue(a.tryAcquire());
  }

  @Test
  void manyContendersGetExactlyOneHolder() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tries = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        StoreLease l = lease("server-" + i);
        tries.add(l::tryAcquire);
      }
      int held = 0;
      for (Future<Boolean> f : pool.invokeAll(tries, 60, TimeUnit.SECONDS)) {
        held += f.get() ? 1 : 0;
      }
      assertEquals(1, held);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badSettingsAndAGarbledFileAreHandled() throws Exception {
    assertThrows(IllegalArgumentException.class,
        () -> new StoreLease(ModelStore.open(dir), "../x", "a", Duration.ofSeconds(5), clock));
    assertThrows(IllegalArgumentException.class,
        () -> new StoreLease(ModelStore.open(dir), "x", "a", Duration.ofDays(1), clock));
    Files.createDirectories(dir.resolve(".leases"));
    Files.writeString(dir.resolve(".leases/rollout.json"), "{not json");
    StoreLease a = lease("server-a");
    assertTrue(a.current().isEmpty());
    assertTrue(a.tryAcquire(), "a garbled lease is free and rewritten");
    assertEquals("server-a", a.current().orElseThrow().holder());
  }
}
