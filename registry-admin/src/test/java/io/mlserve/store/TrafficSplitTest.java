package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.TrafficSplit.Range;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {
  private static final int N = TrafficSplit.BUCKETS;

  private static Map<String, Integer> counts(TrafficSplit s) {
    Map<String, Integer> out = new HashMap<>();
    for (int b = 0; b < N; b++) {
      out.merge(s.versionFor(b), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void bucketCountsFollowTheWeightsExactly() {
    TrafficSplit s = TrafficSplit.parse("1.2.0=90,1.3.0=10");
    assertEquals(Map.of("1.2.0", 9000, "1.3.0", 1000), counts(s));
    assertEquals(List.of("1.2.0", "1.3.0"), s.versions());
    assertEquals(List.of(new Range(0, 9000)), s.ranges().get("1.2.0"));
    assertEquals("1.2.0=90,1.3.0=10", s.spec());

    assertEquals(Map.of("1.0.0", 3333, "1.1.0", 3333, "2.0.0", 3334),
        counts(TrafficSplit.parse("1.0.0=33.33, 1.1.0=33.33 ,2.0.0=33.34")));
    assertEquals(Map.of("1.0.0", 1, "1.1.0", 9999),
        counts(TrafficSplit.parse("1.0.0=0.01,1.1.0=99.99")));

    TrafficSplit aborted = TrafficSplit.parse("1.2.0=100,1.3.0=0");
    assertEquals(Map.of("1.2.0", N), counts(aborted));
    assertEquals(List.of("1.2.0", "1.3.0"), aborted.versions());
    assertEquals(List.of(), aborted.ranges().get("1.3.0"));
    assertEquals(0.0, aborted.weights().get("1.3.0"));
  }

  @Test
  void largestRemainderGivesLeftoverBucketsToTheLargestRemainders() {
    assertArrayEquals(new int[] {3334, 3333, 3333},
        BucketLayout.counts(List.of(1.0, 1.0, 1.0), N));
    assertArrayEquals(new int[] {1, 2}, BucketLayout.counts(List.of(0.5, 1.0), 3));
    assertArrayEquals(new int[] {0, 3}, BucketLayout.counts(List.of(0.0, 1.0), 3));
    assertArrayEquals(new int[] {2, 1, 4}, BucketLayout.counts(List.of(0.29, 0.14, 0.57), 7));
  }

  @Test
  void ninetyTenToEightyTwentyMovesExactlyOneThousandBucketsAllToTheGrowingArm() {
    TrafficSplit before = TrafficSplit.parse("1.2.0=90,1.3.0=10");
    TrafficSplit after = TrafficSplit.reslice(before, TrafficSplit.parseWeights(
        "1.2.0=80,1.3.0=20"));
    int moved = 0;
    for (int b = 0; b < N; b++) {
      if (!before.versionFor(b).equals(after.versionFor(b))) {
        moved++;
        assertEquals("1.3.0", after.versionFor(b));
      }
    }
    assertEquals(1000, moved);
    assertEquals(List.of(new Range(8000, N)), after.ranges().get("1.3.0"));
  }

  @Test
  void reslicingMovesTheFewestBucketsForTwoAndThreeArmsOverRandomChanges() {
    Random rnd = new Random(20261129L);
    for (int arms : new int[] {2, 3}) {
      TrafficSplit s = null;
      List<String> pool = List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0");
      for (int step = 0; step < 400; step++) {
        List<String> names = new ArrayList<>(pool.subList(0, arms));
        if (step % 7 == 6) { // now and then a version leaves and another joins
          names.set(rnd.nextInt(arms), pool.get(arms));
        }
        Map<String, Double> w = randomWeights(rnd, names);
        TrafficSplit next = TrafficSplit.reslice(s, w);
        check(s, next, w);
        s = next;
      }
    }
  }

  @Test
  void manyArmsStayCompactAndExact() {
    Random rnd = new Random(7L);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < TrafficSplit.MAX_ARMS; i++) {
      names.add("1." + i + ".0");
    }
    TrafficSplit s = null;
    for (int step = 0; step < 300; step++) {
      Map<String, Double> w = randomWeights(rnd, names);
      TrafficSplit next = TrafficSplit.reslice(s, w);
      Map<String, Integer> c = counts(next);
      int[] expected = BucketLayout.counts(w.values(), N);
      int i = 0;
      for (String v : w.keySet()) {
        assertEquals(expected[i++], c.getOrDefault(v, 0).intValue(), v);
        assertTrue(next.ranges().get(v).size() <= TrafficSplit.MAX_RANGES_PER_ARM);
      }
      s = next;
    }
  }

  @Test
  void anArmThatWouldNeedMoreThan64RangesLaysEveryArmOutContiguouslyAgain() {
    // 1.0.0 and 1.1.0 interleaved in 64 blocks each, 2.0.0 one block above them.
    Map<String, List<Range>> ranges = new LinkedHashMap<>();
    List<Range> a = new ArrayList<>();
    List<Range> b = new ArrayList<>();
    for (int k = 0; k < 64; k++) {
      a.add(new Range(100 * k, 100 * k + 50));
      b.add(new Range(100 * k + 50, 100 * k + 100));
    }
    ranges.put("1.0.0", a);
    ranges.put("1.1.0", b);
    ranges.put("2.0.0", List.of(new Range(6400, N)));
    TrafficSplit fragmented = TrafficSplit.of(TrafficSplit.parseWeights(
        "1.0.0=32,1.1.0=32,2.0.0=36"), ranges);
    assertEquals(64, fragmented.ranges().get("1.1.0").size());

    // 1.1.0 grows by 100 buckets that 2.0.0 frees at the top: a 65th range, so a fresh layout.
    TrafficSplit after = TrafficSplit.reslice(fragmented, TrafficSplit.parseWeights(
        "1.0.0=32,1.1.0=33,2.0.0=35"));
    assertEquals(List.of(new Range(0, 3200)), after.ranges().get("1.0.0"));
    assertEquals(List.of(new Range(3200, 6500)), after.ranges().get("1.1.0"));
    assertEquals(List.of(new Range(6500, N)), after.ranges().get("2.0.0"));
  }

  /** Weights in 0.01 steps adding up to 100, some of them 0 (but not all). */
  private static Map<String, Double> randomWeights(Random rnd, List<String> names) {
    int[] cuts = new int[names.size() + 1];
    cuts[names.size()] = N;
    for (int i = 1; i < names.size(); i++) {
      cuts[i] = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(N + 1);
    }
    java.util.Arrays.sort(cuts);
    Map<String, Double> w = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      w.put(names.get(i), (cuts[i + 1] - cuts[i]) / 100.0);
    }
    return w;
  }

  private static void check(TrafficSplit before, TrafficSplit after, Map<String, Double> w) {
    Map<String, Integer> now = counts(after);
    int[] expected = BucketLayout.counts(w.values(), N);
    int i = 0;
    for (String v : w.keySet()) {
      assertEquals(expected[i++], now.getOrDefault(v, 0).intValue(), v + " in " + w);
      List<Range> r = after.ranges().get(v);
      for (int k = 1; k < r.size(); k++) {
        assertTrue(r.get(k - 1).to() < r.get(k).from(), "unmerged ranges " + r);
      }
      assertTrue(r.size() <= TrafficSplit.MAX_RANGES_PER_ARM, v + ": " + r.size() + " ranges");
    }
    if (before == null) {
      return;
    }
    Map<String, Integer> then = counts(before);
    int minimum = 0;
    for (Map.Entry<String, Integer> e : then.entrySet()) {
      minimum += Math.max(0, e.getValue() - now.getOrDefault(e.getKey(), 0));
    }
    int moved = 0;
    for (int b = 0; b < N; b++) {
      String from = before.versionFor(b);
      String to = after.versionFor(b);
      if (!from.equals(to)) {
        moved++;
        assertTrue(now.get(to) > then.getOrDefault(to, 0), "bucket " + b + " moved to " + to
            + ", which did not grow: " + before + " -> " + after);
      }
    }
    assertEquals(minimum, moved, before + " -> " + after);
  }

  @Test
  void storedRangesRoundTripAndBadOnesAreRefused() {
    TrafficSplit s = TrafficSplit.reslice(TrafficSplit.parse("1.0.0=50,1.1.0=50"),
        TrafficSplit.parseWeights("1.0.0=30,1.1.0=60,1.2.0=10"));
    assertEquals(s, TrafficSplit.of(s.weights(), s.ranges()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrafficSplit.of(Map.of("1.0.0", 100.0), Map.of("1.0.0",
            List.of(new Range(0, 5000)))));
    assertEquals("version 1.0.0 owns 5000 buckets, but its weight 100 gives 10000",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrafficSplit.of(
        Map.of("1.0.0", 100.0), Map.of("1.0.0", List.of(new Range(0, 6000),
            new Range(5000, 9000)))));
    assertEquals("bucket 5000 is owned twice", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Range(9000, 10_001));
    assertTrue(e.getMessage().contains("not inside [0, 10000)"), e.getMessage());
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("", "the split is empty; give VERSION=PERCENT pairs (e.g. 1.2.0=90,1.3.0=10)");
    cases.put("1.2.0", "'1.2.0' is not VERSION=PERCENT (e.g. 1.2.0=90,1.3.0=10)");
    cases.put("1.2.0=90,", "'' is not VERSION=PERCENT (e.g. 1.2.0=90,1.3.0=10)");
    cases.put("1.2=100", "'1.2' is not a semantic version (e.g. 1.2.0)");
    cases.put("1.2.0=ninety,1.3.0=10",
        "weight 'ninety' of 1.2.0 is not a number (e.g. 1.2.0=90,1.3.0=10)");
    cases.put("1.2.0=90.001,1.3.0=9.999",
        "weight 90.001 of 1.2.0 has more than two decimals (the finest step is 0.01%)");
    cases.put("1.2.0=110,1.3.0=-10", "weight 110 of 1.2.0 is not a percentage from 0 to 100");
    cases.put("1.2.0=50,1.2.0=50", "version 1.2.0 is named twice in the split");
    cases.put("1.2.0=90,1.3.0=5", "the weights add up to 95, not 100: 1.2.0=90,1.3.0=5");
    cases.put("1.2.0=0", "the weights add up to 0, not 100: 1.2.0=0");
    cases.put("1.2.0=NaN", "weight 'NaN' of 1.2.0 is not a number (e.g. 1.2.0=90,1.3.0=10)");
    StringBuilder many = new StringBuilder("1.0.0=83");
    for (int i = 1; i <= 17; i++) {
      many.append(",1.").append(i).append(".0=1");
    }
    cases.put(many.toString(), "a split names at most 16 versions, got 18");
    cases.forEach((spec, message) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TrafficSplit.parse(spec), spec);
      assertEquals(message, e.getMessage(), spec);
    });
    assertThrows(IllegalArgumentException.class, () -> TrafficSplit.parse("1.2.0=100")
        .versionFor(N));
  }

  @Test
  void bucketOfIsTheDocumentedHashAndNeverChanges() {
    // Pinned: computed independently (Python) from the contract; must never change.
    assertEquals(4342, TrafficSplit.bucketOf(""));
    assertEquals(5477, TrafficSplit.bucketOf("user-1"));
    assertEquals(2635, TrafficSplit.bucketOf("user-2"));
    assertEquals(3736, TrafficSplit.bucketOf("alice@example.com"));
    assertEquals(421, TrafficSplit.bucketOf("ключ"));
    assertEquals(1144, TrafficSplit.bucketOf("\uD83D\uDE42"));
    assertEquals(6128, TrafficSplit.bucketOf("customer:42"));
    Random rnd = new Random(11L);
    for (int i = 0; i < 20_000; i++) {
      char[] cs = new char[rnd.nextInt(12)];
      for (int k = 0; k < cs.length; k++) {
        cs[k] = (char) (rnd.nextInt(4) == 0 ? rnd.nextInt(0x10000) : 0x20 + rnd.nextInt(0x5f));
      }
      String key = new String(cs);
      assertEquals(reference(key), TrafficSplit.bucketOf(key), key);
    }
  }

  /** The contract, written the obvious way. */
  private static int reference(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) Long.remainderUnsigned(h, N);
  }

  @Test
  void bucketOfSpreadsKeysEvenly() {
    // Fixed keys, so the numbers are the same every run: nothing here can flake.
    int[] perBucket = new int[N];
    int keys = 100_000;
    for (int i = 0; i < keys; i++) {
      perBucket[TrafficSplit.bucketOf("user-" + i)]++;
    }
    double expected = (double) keys / N;
    double chi2 = 0;
    for (int c : perBucket) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    // 9,999 degrees of freedom: mean 9,999, sd 141; a biased hash lands far above.
    assertTrue(chi2 < 9_999 + 5 * 141, "chi-square " + chi2);
    int firstTenth = 0;
    for (int b = 0; b < N / 10; b++) {
      firstTenth += perBucket[b];
    }
    assertEquals(0.10, firstTenth / (double) keys, 0.005);
  }
}
