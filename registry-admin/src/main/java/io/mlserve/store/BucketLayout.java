package io.mlserve.store;

import io.mlserve.store.TrafficSplit.Range;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of {@link TrafficSplit}: bucket counts from weights, and which ranges each arm
 * owns. Pure functions over plain values. Stateless.
 */
final class BucketLayout {
  private static final double SNAP = 1e-9;

  private BucketLayout() {}

  /**
   * Bucket counts for {@code weights} by the largest-remainder method: each arm gets the floor
   * of its exact share of {@code total}, and the buckets left over go one each to the largest
   * remainders (ties to the earlier arm). The counts add up to {@code total} exactly.
   */
  static int[] counts(Collection<Double> weights, int total) {
    double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
    double sum = 0;
    for (double x : w) {
      sum += x;
    }
    int n = w.length;
    int[] counts = new int[n];
    double[] rest = new double[n];
    int given = 0;
    for (int i = 0; i < n; i++) {
      double exact = w[i] / sum * total;
      double floor = Math.floor(exact + SNAP); // 29.999999999996 is 30
      counts[i] = (int) floor;
      rest[i] = Math.max(0, exact - floor);
      given += counts[i];
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Stable: equal remainders go to the earlier arm.
    java.util.Arrays.sort(order, (a, b) -> Double.compare(rest[b], rest[a]));
    for (int k = 0; given < total; k = (k + 1) % n) {
      if (w[order[k]] > 0) { // an arm of weight 0 never gets a bucket
        counts[order[k]]++;
        given++;
      }
    }
    for (int k = n - 1; given > total; k = (k + n - 1) % n) { // float noise only
      if (counts[order[k]] > 0) {
        counts[order[k]]--;
        given--;
      }
    }
    return counts;
  }

  /** Each arm one range, in order: {@code [0, c0), [c0, c0 + c1), ...}. */
  static Map<String, List<Range>> contiguous(Collection<String> arms, int[] counts) {
    Map<String, List<Range>> out = new LinkedHashMap<>();
    int at = 0;
    int i = 0;
    for (String v : arms) {
      int c = counts[i++];
      out.put(v, c == 0 ? List.of() : List.of(new Range(at, at + c)));
      at += c;
    }
    return out;
  }

  /**
   * A layout with {@code counts} per arm that keeps as many buckets with their previous owner
   * as possible: an arm that shrinks gives up buckets from its highest ranges, an arm that left
   * gives up all, and arms that grow take exactly the buckets given up (lowest first). The
   * buckets that change owner number {@code sum(max(0, previous - new))}, which is the least
   * any layout with these counts can move.
   */
  static Map<String, List<Range>> moveFewest(Map<String, List<Range>> previous,
      Collection<String> arms, int[] counts) {
    List<int[]> freed = new ArrayList<>();
    previous.forEach((v, r) -> {
      if (!arms.contains(v)) {
        r.forEach(x -> freed.add(new int[] {x.from(), x.to()}));
      }
    });
    Map<String, List<int[]>> owned = new HashMap<>();
    int i = 0;
    for (String v : arms) {
      List<int[]> own = new ArrayList<>();
      previous.getOrDefault(v, List.of()).forEach(x -> own.add(new int[] {x.from(), x.to()}));
      own.sort(Comparator.comparingInt(x -> x[0]));
      int give = size(own) - counts[i++];
      while (give > 0) {
        int[] last = own.get(own.size() - 1);
        int len = last[1] - last[0];
        if (len <= give) {
          own.remove(own.size() - 1);
          freed.add(last);
          give -= len;
        } else {
          freed.add(new int[] {last[1] - give, last[1]});
          last[1] -= give;
          give = 0;
        }
      }
      owned.put(v, own);
    }
    freed.sort(Comparator.comparingInt(x -> x[0]));
    int next = 0;
    i = 0;
    for (String v : arms) {
      List<int[]> own = owned.get(v);
      int need = counts[i++] - size(own);
      while (need > 0) {
        int[] f = freed.get(next);
        int len = f[1] - f[0];
        if (len <= need) {
          own.add(new int[] {f[0], f[1]});
          next++;
          need -= len;
        } else {
          own.add(new int[] {f[0], f[0] + need});
          f[0] += need;
          need = 0;
        }
      }
    }
    Map<String, List<Range>> out = new LinkedHashMap<>();
    for (String v : arms) {
      List<Range> r = new ArrayList<>();
      owned.get(v).forEach(x -> r.add(new Range(x[0], x[1])));
      out.put(v, merged(r));
    }
    return out;
  }

  /** {@code ranges} ascending, with touching ones joined. */
  static List<Range> merged(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingInt(Range::from));
    List<Range> out = new ArrayList<>();
    for (Range r : sorted) {
      Range last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.to() == r.from()) {
        out.set(out.size() - 1, new Range(last.from(), r.to()));
      } else {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  private static int size(List<int[]> ranges) {
    int n = 0;
    for (int[] r : ranges) {
      n += r[1] - r[0];
    }
    return n;
  }
}
