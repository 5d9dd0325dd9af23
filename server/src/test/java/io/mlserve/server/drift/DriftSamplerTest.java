package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DriftSamplerTest {
  static final Signature CURVE = new Signature(
      List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
      List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L))));

  static DriftConfig config(int windowRows, int rowsPerRequest, int referenceRows) {
    return new DriftConfig(1, rowsPerRequest, windowRows, 2_000_000, Duration.ofSeconds(30),
        referenceRows, 10, 0.2, 10, 100, 5);
  }

  /** {@code rows} rows whose every value is {@code value(row)} (24 inputs, 24 outputs). */
  static List<Object> request(int rows, java.util.function.IntToDoubleFunction value) {
    float[] in = new float[rows * 24];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < 24; i++) {
        in[r * 24 + i] = (float) value.applyAsDouble(r);
      }
    }
    Tensor t = Tensor.ofFloats("curve", new long[] {rows, 24}, in);
    return List.of(List.of(t), new Tensor[] {t.renamed("forecast")});
  }

  @SuppressWarnings("unchecked")
  static void offer(DriftSampler s, List<Object> req) {
    s.offer((List<Tensor>) req.get(0), (Tensor[]) req.get(1));
  }

  @Test
  void aBulkRequestContributesAFewEvenlySpacedRows() {
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), config(100, 4, 10));
    offer(s, request(1000, r -> r));
    assertEquals(4, s.sampledRows());
    float[] rows = new float[s.capacity() * 48];
    int n = s.read(rows);
    assertEquals(4, n);
    List<Float> firstValues = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      firstValues.add(rows[i * 48]);
      assertEquals(rows[i * 48], rows[i * 48 + 47]); // the output side follows the inputs
    }
    firstValues.sort(null);
    assertEquals(List.of(125f, 375f, 625f, 875f), firstValues); // centres of four quarters
  }

  @Test
  void theWindowKeepsTheLastRowsAndIsBounded() {
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), config(50, 1, 10));
    for (int i = 0; i < 500; i++) {
      int v = i;
      offer(s, request(1, r -> v));
    }
    float[] rows = new float[s.capacity() * 48];
    int n = s.read(rows);
    assertEquals(50, n);
    for (int i = 0; i < n; i++) {
      assertTrue(rows[i * 48] >= 450, "only the last 50 rows: " + rows[i * 48]);
    }
    assertEquals(50 * 48 * 4 + 50 * 8 + 10 * 48 * 4, s.bytes());
  }

  @Test
  void theFirstRowsAreCapturedOnceForALiveReference() {
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), config(20, 1, 10));
    for (int i = 0; i < 9; i++) {
      int v = i;
      offer(s, request(1, r -> v));
    }
    assertNull(s.capturedRows());
    assertEquals(9, s.capturedCount());
    for (int i = 9; i < 100; i++) {
      int v = i;
      offer(s, request(1, r -> v));
    }
    float[] cap = s.capturedRows();
    assertNotNull(cap);
    for (int i = 0; i < 10; i++) {
      assertEquals(i, cap[i * 48]);
    }
    s.releaseCapture();
    assertNull(s.capturedRows());
    assertEquals(20 * 48 * 4 + 20 * 8, s.bytes());
  }

  @Test
  void requestsThatDoNotMatchTheSignatureAreSkipped() {
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), config(20, 1, 10));
    Tensor wrong = Tensor.ofFloats("curve", new long[] {1, 3}, new float[3]);
    s.offer(List.of(wrong), new Tensor[] {Tensor.ofFloats("forecast", new long[] {1, 24},
        new float[24])});
    s.offer(List.of(Tensor.ofFloats("other", new long[] {1, 24}, new float[24])),
        new Tensor[0]);
    assertEquals(0, s.sampledRows());
    assertEquals(2, s.mismatched());
  }

  @Test
  void sampleEveryKSamplesAboutOneInK() {
    DriftConfig c = new DriftConfig(10, 1, 1000, 2_000_000, Duration.ofSeconds(30), 10, 10, 0.2,
        10, 100, 5);
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), c);
    List<Object> req = request(1, r -> 1);
    for (int i = 0; i < 10_000; i++) {
      offer(s, req);
    }
    // Binomial(10000, 0.1): mean 1000, sd 30; 8 sd either side.
    assertTrue(s.sampledRows() > 760 && s.sampledRows() < 1240, "sampled " + s.sampledRows());
  }

  /**
   * Writers on several threads lap a small window while a reader copies it: every row read must
   * be one writer's row (all 48 values equal), never a mix of two.
   */
  @Test
  void concurrentWritersNeverProduceATornRowInARead() throws Exception {
    DriftSampler s = new DriftSampler(RowLayout.of(CURVE), config(16, 1, 10));
    int writers = 4;
    int perWriter = 20_000;
    List<List<Object>> requests = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      List<Object> mine = new ArrayList<>();
      for (int k = 0; k < 64; k++) {
        int v = w * 1000 + k;
        mine.add(request(1, r -> v));
      }
      requests.add(mine);
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        List<Object> mine = requests.get(w);
        fs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perWriter; i++) {
            @SuppressWarnings("unchecked")
            List<Object> req = (List<Object>) mine.get(i % mine.size());
            offer(s, req);
          }
          return null;
        }));
      }
      float[] rows = new float[s.capacity() * 48];
      long rowsChecked = 0;
      start.countDown();
      int reads = 0;
      while (reads < 200_000 && !(done.get())) {
        int n = s.read(rows);
        for (int i = 0; i < n; i++) {
          float v = rows[i * 48];
          for (int j = 1; j < 48; j++) {
            assertEquals(v, rows[i * 48 + j], "torn row " + i + " at value " + j);
          }
        }
        rowsChecked += n;
        reads++;
        done.set(fs.stream().allMatch(Future::isDone));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertTrue(rowsChecked > 0);
      assertEquals((long) writers * perWriter, s.sampledRows());
      assertEquals(16, s.read(rows)); // quiescent: every slot holds a complete row
    } finally {
      pool.shutdownNow();
    }
  }
}
