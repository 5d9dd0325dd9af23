import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * The ceiling of dynamic batching on one model, in process: the DJL TorchScript engine exactly as
 * the server drives it (DjlEngine, one runner per worker, {@code newRunner(threads)}, mlserve
 * tensors in and out), no transport and no batcher. Measures, in alternating rounds:
 *
 * <ol>
 *   <li>rows/s of one runner with one intra-op thread at batch 1, 8, 16, 32 and 64: the ceiling
 *       of batching is rows/s(64) / rows/s(1), per round;
 *   <li>at batch 64 (and 1): one runner with 2 intra-op threads driven by one thread, against two
 *       runners with 1 intra-op thread each driven by two threads at once (the server's default
 *       of 2 instances x 1 thread).
 * </ol>
 *
 * It also checks that a batch's outputs equal the same rows run one at a time (max difference).
 * Run by bench/batching-ceiling.sh (a single-file program over server/target's classpath).
 * Arguments: MODEL_DIR [ROUNDS=3] [SECONDS=3].
 *
 * <p>With {@code -Dbench.mode=shapes} it instead compares TorchScript's graph optimizer on
 * (batches padded to powers of two, as the server did) and off (free batch sizes, the server's
 * default since issue 19): each freshly loaded, warmed at batch 1 only, then the first three
 * calls at every new size 2..64 timed (what a reloaded version meets while serving, the stall
 * padding was there to avoid); the outputs at every size against the rows one at a time; and, in
 * alternating rounds, the time of one call at sizes between the buckets, free vs padded.
 */
public final class DjlBatchBench {
  static final int[] BATCHES = java.util.Arrays.stream(
      System.getProperty("bench.batches", "1,8,16,32,64").split(","))
      .mapToInt(Integer::parseInt).toArray();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    Manifest manifest = ManifestCodec.read(dir.resolve("model.json"));
    String input = manifest.signature().inputs().get(0).name();
    int features = (int) manifest.signature().inputs().get(0).shape().get(1).longValue();
    if (System.getProperty("bench.mode", "").equals("shapes")) {
      shapes(dir, manifest, input, features, rounds, seconds);
      return;
    }
    try (LoadedModel model = new DjlEngine().load(dir, manifest)) {
      ModelRunner one = model.newRunner(1);
      ModelRunner other = model.newRunner(1);
      ModelRunner two = model.newRunner(2);
      checkSame(one, input, features);
      // Warm every shape on every runner (TorchScript's profiling executor specialises per shape).
      for (ModelRunner r : List.of(one, other, two)) {
        for (int b : BATCHES) {
          measure(r, input, features, b, 0.3);
        }
      }
      System.out.printf("# 1 runner x 1 intra-op thread, rows/s by batch size (%d rounds of %.1f"
          + " s per size, order alternating)%n", rounds, seconds);
      double[][] rps = new double[BATCHES.length][rounds];
      double[] ceiling = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
        for (int k = 0; k < BATCHES.length; k++) {
          int i = round % 2 == 0 ? k : BATCHES.length - 1 - k;
          rps[i][round] = measure(one, input, features, BATCHES[i], seconds);
        }
        for (int i = 0; i < BATCHES.length; i++) {
          line.append(String.format(" b%d %,.0f", BATCHES[i], rps[i][round]));
        }
        ceiling[round] = rps[BATCHES.length - 1][round] / rps[0][round];
        System.out.println(line + String.format("  ceiling b64/b1 x%.2f", ceiling[round]));
      }
      System.out.println("| batch | rows/s (median) | rows/s range | x batch 1 (median of rounds) |");
      System.out.println("|---:|---:|---:|---:|");
      for (int i = 0; i < BATCHES.length; i++) {
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          ratio[r] = rps[i][r] / rps[0][r];
        }
        System.out.printf("| %d | %,.0f | %,.0f - %,.0f | x%.2f |%n", BATCHES[i], median(rps[i]),
            min(rps[i]), max(rps[i]), median(ratio));
      }
      System.out.printf("CEILING b64/b1 median x%.2f (rounds %s)%n", median(ceiling),
          fmt(ceiling));

      System.out.printf("# 2 runners x 1 thread (two calling threads) vs 1 runner x 2 threads%n");
      for (int b : new int[] {1, 64}) {
        double[] ratio = new double[rounds];
        double[] pair = new double[rounds];
        double[] single = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          if (round % 2 == 0) {
            pair[round] = measurePair(one, other, input, features, b, seconds);
            single[round] = measure(two, input, features, b, seconds);
          } else {
            single[round] = measure(two, input, features, b, seconds);
            pair[round] = measurePair(one, other, input, features, b, seconds);
          }
          ratio[round] = pair[round] / single[round];
          System.out.printf("batch %d round %d: 2x1 %,.0f rows/s, 1x2 %,.0f rows/s, 2x1/1x2"
              + " %.2f%n", b, round + 1, pair[round], single[round], ratio[round]);
        }
        System.out.printf("PAIR batch %d: 2x1 %,.0f rows/s, 1x2 %,.0f rows/s (medians);"
            + " 2x1/1x2 median %.2f (rounds %s)%n", b, median(pair), median(single),
            median(ratio), fmt(ratio));
      }
      one.close();
      other.close();
      two.close();
    }
  }

  /** Rows of a batch of 64 against the same rows one at a time: the largest difference. */
  static void checkSame(ModelRunner r, String input, int features) throws Exception {
    System.out.printf("batch 64 vs one row at a time: max |difference| %.3g%n",
        maxDiff(r, input, features, 64));
  }

  static float[] rows(int batch, int features) {
    float[] rows = new float[batch * features];
    Random rnd = new Random(1);
    for (int i = 0; i < rows.length; i++) {
      rows[i] = rnd.nextFloat() * 2 - 1;
    }
    return rows;
  }

  /** Rows/s of one runner called back to back for {@code seconds} (after a short warm-up). */
  static double measure(ModelRunner r, String input, int features, int batch, double seconds)
      throws Exception {
    Tensor[] in = {Tensor.ofFloats(input, new long[] {batch, features}, rows(batch, features))};
    long end = System.nanoTime() + 200_000_000L;
    while (System.nanoTime() < end) {
      r.predict(in);
    }
    long calls = 0;
    long t0 = System.nanoTime();
    end = t0 + (long) (seconds * 1e9);
    long now;
    do {
      r.predict(in);
      calls++;
      now = System.nanoTime();
    } while (now < end);
    return calls * batch / ((now - t0) / 1e9);
  }

  /** Rows/s of two runners, each called back to back on its own thread, together. */
  static double measurePair(ModelRunner a, ModelRunner b, String input, int features, int batch,
      double seconds) throws Exception {
    double[] result = new double[2];
    Exception[] failure = new Exception[1];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    ModelRunner[] runners = {a, b};
    for (int i = 0; i < 2; i++) {
      int k = i;
      Thread t = new Thread(() -> {
        try {
          start.await();
          result[k] = measure(runners[k], input, features, batch, seconds);
        } catch (Exception e) {
          failure[0] = e;
        }
      });
      t.start();
      threads.add(t);
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0] + result[1];
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }

  static String fmt(double[] v) {
    StringBuilder s = new StringBuilder();
    for (double x : v) {
      s.append(s.length() == 0 ? "" : ", ").append(String.format("x%.2f", x));
    }
    return s.toString();
  }

  static final int[] BETWEEN = {17, 24, 33, 40, 48, 56, 64};

  /** Graph optimizer on (padded) vs off (free sizes): new-shape stalls, outputs, call times. */
  static void shapes(Path dir, Manifest manifest, String input, int features, int rounds,
      double seconds) throws Exception {
    try (LoadedModel on = new DjlEngine(true).load(dir, manifest);
        LoadedModel off = new DjlEngine(false).load(dir, manifest);
        ModelRunner padded = on.newRunner(1);
        ModelRunner free = off.newRunner(1)) {
      for (boolean optimizer : new boolean[] {true, false}) {
        ModelRunner r = optimizer ? padded : free;
        measure(r, input, features, 1, 0.3);
        double[] first = new double[63];
        double[] third = new double[63];
        double worst = 0;
        for (int b = 2; b <= 64; b++) {
          Tensor[] in = {Tensor.ofFloats(input, new long[] {b, features}, rows(b, features))};
          double[] t = new double[3];
          for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime();
            r.predict(in);
            t[k] = (System.nanoTime() - t0) / 1e6;
          }
          first[b - 2] = t[0];
          third[b - 2] = t[2];
          worst = Math.max(worst, Math.max(t[0], t[1]));
        }
        System.out.printf("NEWSHAPE optimizer %s: sizes 2..64 after a warm-up at 1 only: first call"
            + " median %.3f ms (max %.3f), worst of the first two %.3f ms; third call median"
            + " %.3f ms; first/third median x%.2f%n", optimizer ? "on" : "off", median(first),
            max(first), worst, median(third), median(first) / median(third));
        double diff = 0;
        for (int b = 1; b <= 64; b++) {
          diff = Math.max(diff, maxDiff(r, input, features, b));
        }
        System.out.printf("SAME optimizer %s: every size 1..64 vs its rows one at a time: max"
            + " |difference| %.3g%n", optimizer ? "on" : "off", diff);
      }
      // every size in BETWEEN and its bucket, both warmed on both runners
      for (int b : BETWEEN) {
        measure(padded, input, features, Integer.highestOneBit(b - 1) << 1, 0.2);
        measure(free, input, features, b, 0.2);
      }
      System.out.println("| rows | free, optimizer off: ms per call | padded to 2^k, optimizer on:"
          + " ms per call | padded / free (median of rounds) |");
      System.out.println("|---:|---:|---:|---:|");
      for (int b : BETWEEN) {
        int bucket = b <= 1 ? 1 : Integer.highestOneBit(b - 1) << 1;
        double[] f = new double[rounds];
        double[] p = new double[rounds];
        double[] ratio = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          if (round % 2 == 0) {
            f[round] = b / measure(free, input, features, b, seconds) * 1e3;
            p[round] = bucket / measure(padded, input, features, bucket, seconds) * 1e3;
          } else {
            p[round] = bucket / measure(padded, input, features, bucket, seconds) * 1e3;
            f[round] = b / measure(free, input, features, b, seconds) * 1e3;
          }
          ratio[round] = p[round] / f[round];
        }
        System.out.printf("| %d (bucket %d) | %.3f | %.3f | x%.2f (%s) |%n", b, bucket, median(f),
            median(p), median(ratio), fmt(ratio));
      }
    }
  }

  /** A batch of {@code batch} rows against the same rows one at a time: the largest difference. */
  static double maxDiff(ModelRunner r, String input, int features, int batch) throws Exception {
    float[] rows = rows(batch, features);
    float[] batched = r.predict(new Tensor[] {
        Tensor.ofFloats(input, new long[] {batch, features}, rows)})[0].toFloats();
    int width = batched.length / batch;
    double diff = 0;
    for (int i = 0; i < batch; i++) {
      float[] row = Arrays.copyOfRange(rows, i * features, (i + 1) * features);
      float[] single = r.predict(new Tensor[] {
          Tensor.ofFloats(input, new long[] {1, features}, row)})[0].toFloats();
      for (int j = 0; j < width; j++) {
        diff = Math.max(diff, Math.abs(single[j] - batched[i * width + j]));
      }
    }
    return diff;
  }
}
