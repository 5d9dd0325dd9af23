package io.mlserve.server.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.experiment.PredictionLog.State;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The prediction log's bounds (count, bytes, age), eviction order and lookups. */
class PredictionLogTest {
  private final FakeTicker ticker = new FakeTicker();

  static Tensor[] out(int floats) {
    return new Tensor[] {Tensor.ofFloats("y", new long[] {1, floats}, new float[floats])};
  }

  private PredictionLog log(int count, long bytes, Duration ttl) {
    return new PredictionLog(ExperimentConfig.defaults().withLog(count, bytes, ttl), ticker);
  }

  @Test
  void boundedByCountOldestFirst() {
    PredictionLog log = log(3, 1 << 20, Duration.ofHours(1));
    assertEquals(1, log.shardCount(), "a small log is one shard, so its order is exact");
    for (int i = 1; i <= 5; i++) {
      log.record("r" + i, "m", "1.0.0", null, out(1));
    }
    assertEquals(3, log.size());
    assertEquals(State.UNKNOWN, log.find("r1").state());
    assertEquals(State.UNKNOWN, log.find("r2").state());
    for (int i = 3; i <= 5; i++) {
      assertEquals(State.FOUND, log.find("r" + i).state(), "r" + i);
    }
  }

  @Test
  void boundedByBytes() {
    long one = Prediction.estimateBytes("r1", out(250));
    PredictionLog log = log(100, 2 * one, Duration.ofHours(1));
    log.record("r1", "m", "1.0.0", null, out(250));
    log.record("r2", "m", "1.0.0", null, out(250));
    assertEquals(2 * one, log.bytes());
    log.record("r3", "m", "1.0.0", null, out(250));
    assertEquals(2, log.size());
    assertEquals(State.UNKNOWN, log.find("r1").state());
    assertTrue(log.bytes() <= 2 * one);
    log.record("big", "m", "1.0.0", null, out(1000));
    assertEquals(State.UNKNOWN, log.find("big").state(), "larger than the whole budget");
    assertTrue(log.bytes() <= 2 * one);
  }

  @Test
  void expiredEntriesAreReportedThenDropped() {
    PredictionLog log = log(100, 1 << 20, Duration.ofMinutes(10));
    log.record("old", "m", "1.0.0", null, out(1));
    ticker.advance(6, TimeUnit.MINUTES);
    log.record("new", "m", "1.0.0", null, out(1));
    ticker.advance(5, TimeUnit.MINUTES);
    PredictionLog.Lookup l = log.find("old");
    assertEquals(State.EXPIRED, l.state());
    assertEquals(TimeUnit.MINUTES.toNanos(11), l.ageNanos());
    assertEquals(State.UNKNOWN, log.find("old").state(), "dropped once found expired");
    assertEquals(State.FOUND, log.find("new").state());
    assertEquals(TimeUnit.MINUTES.toNanos(5), log.find("new").ageNanos());
  }

  @Test
  void recordingSweepsExpiredEntries() {
    PredictionLog log = log(100, 1 << 20, Duration.ofMinutes(10));
    log.record("a", "m", "1.0.0", null, out(1));
    log.record("b", "m", "1.0.0", null, out(1));
    ticker.advance(11, TimeUnit.MINUTES);
    log.record("c", "m", "1.0.0", null, out(1));
    assertEquals(1, log.size());
    assertEquals(Prediction.estimateBytes("c", out(1)), log.bytes());
  }

  @Test
  void anIdRecordedAgainReplacesTheEarlierPrediction() {
    PredictionLog log = log(2, 1 << 20, Duration.ofHours(1));
    log.record("a", "m", "1.0.0", null, out(1));
    log.record("b", "m", "1.0.0", null, out(1));
    log.record("a", "m", "2.0.0", null, out(1));
    assertEquals(2, log.size());
    assertEquals("2.0.0", log.find("a").prediction().version);
    log.record("c", "m", "1.0.0", null, out(1));
    assertEquals(State.UNKNOWN, log.find("b").state(), "b is now the oldest");
    assertEquals(State.FOUND, log.find("a").state());
  }

  @Test
  void feedbackIsClaimedOnce() {
    PredictionLog log = log(10, 1 << 20, Duration.ofHours(1));
    log.record("a", "m", "1.0.0", null, out(1));
    Prediction p = log.find("a").prediction();
    assertTrue(log.claimFeedback(p));
    assertFalse(log.claimFeedback(p));
    assertSame(p, log.find("a").prediction());
  }

  @Test
  void boundsHoldUnderConcurrentWriters() throws Exception {
    int max = 4096;
    long maxBytes = 1_200_000; // about 300 B an entry: both bounds are near
    PredictionLog log = log(max, maxBytes, Duration.ofHours(1));
    assertEquals(16, log.shardCount());
    int threads = 6;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String rid = id + "-" + i;
            log.record(rid, "m", "1.0.0", null, out(1 + i % 16));
            if (i % 7 == 0) {
              log.find(id + "-" + (i / 2));
            }
            if (i % 1000 == 0) {
              assertTrue(log.size() <= max);
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(log.size() <= max, "size " + log.size());
    assertTrue(log.bytes() <= maxBytes, "bytes " + log.bytes());
    assertTrue(log.size() >= max * 3 / 4, "every shard is filled: " + log.size());
    long counted = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        PredictionLog.Lookup l = log.find(t + "-" + i);
        if (l.state() == State.FOUND) {
          counted += l.prediction().bytes;
        }
      }
    }
    assertEquals(log.bytes(), counted, "the byte count matches the entries held");
    log.record("last", "m", "1.0.0", null, out(16));
    assertEquals(State.FOUND, log.find("last").state(), "the newest prediction is kept");
  }
}
