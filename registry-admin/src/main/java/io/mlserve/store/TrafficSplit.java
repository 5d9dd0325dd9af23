package io.mlserve.store;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a model's unversioned traffic is split over its versions: each version (an arm) has a
 * weight in percent and owns a set of the {@value #BUCKETS} buckets, as a few ranges. A request
 * with a routing key goes to the arm that owns {@link #bucketOf}(key), so one key always lands
 * on one version for a given split; without a key the server picks a bucket at random.
 *
 * <p>Weights are percentages with at most two decimals (so 0.01% is exactly one bucket), they
 * add up to 100, each version is a semantic version named once, at most {@value #MAX_ARMS}
 * versions (so at least one weight is above 0). A weight of 0 is allowed (a canary abort sets the
 * candidate to 0): such an arm is listed but owns no bucket.
 *
 * <p>Buckets per arm come from the weights by the largest-remainder method (exact counts that
 * add up to {@value #BUCKETS}). {@link #reslice} derives a new split from the previous one so
 * that the fewest buckets change owner: arms that shrink give up buckets from their highest
 * ranges, arms that grow take exactly those, arms that leave free all theirs (so 90/10 → 80/20
 * moves exactly 1,000 buckets, all to the growing arm). Each arm's ranges are kept merged; in
 * the one case where an arm would need more than {@value #MAX_RANGES_PER_ARM} ranges, every arm
 * is laid out contiguously again, which moves more keys than the minimum.
 *
 * <p>Immutable and thread-safe. {@link #versionFor} is a binary search over the range starts and
 * allocates nothing.
 */
public final class TrafficSplit {
  /** The number of buckets keys hash into. Part of the {@link #bucketOf} wire contract. */
  public static final int BUCKETS = 10_000;
  /** The most versions a split may name. */
  public static final int MAX_ARMS = 16;
  /** Past this many ranges for one arm, {@link #reslice} lays every arm out contiguously. */
  public static final int MAX_RANGES_PER_ARM = 64;

  private static final double SUM_TOLERANCE = 1e-9;
  private static final String EXAMPLE = " (e.g. 1.2.0=90,1.3.0=10)";

  /**
   * Buckets {@code [from, to)} owned by one arm.
   *
   * @param from first bucket, inclusive
   * @param to end, exclusive
   */
  public record Range(int from, int to) {
    public Range {
      if (from < 0 || to > BUCKETS || from >= to) {
        throw new IllegalArgumentException("bucket range [" + from + ", " + to
            + ") is not inside [0, " + BUCKETS + ")");
      }
    }

    /** How many buckets it holds. */
    public int size() {
      return to - from;
    }
  }

  private final Map<String, Double> weights;
  private final Map<String, List<Range>> ranges;
  /** Range starts over all arms, ascending; {@code owners[i]} owns {@code [starts[i], next)}. */
  private final int[] starts;
  private final String[] owners;

  private TrafficSplit(Map<String, Double> weights, Map<String, List<Range>> ranges) {
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    Map<String, List<Range>> r = new LinkedHashMap<>();
    List<Object[]> all = new ArrayList<>();
    for (String v : weights.keySet()) {
      List<Range> own = List.copyOf(ranges.getOrDefault(v, List.of()));
      r.put(v, own);
      own.forEach(x -> all.add(new Object[] {x.from(), v}));
    }
    this.ranges = Collections.unmodifiableMap(r);
    all.sort((a, b) -> Integer.compare((Integer) a[0], (Integer) b[0]));
    this.starts = new int[all.size()];
    this.owners = new String[all.size()];
    for (int i = 0; i < all.size(); i++) {
      starts[i] = (Integer) all.get(i)[0];
      owners[i] = (String) all.get(i)[1];
    }
  }

  /**
   * Parses the CLI form {@code 1.2.0=90,1.3.0=10} into a fresh split (arms laid out
   * contiguously, in the order given).
   *
   * @throws IllegalArgumentException naming what is wrong with the spec
   */
  public static TrafficSplit parse(String spec) {
    return reslice(null, parseWeights(spec));
  }

  /**
   * Parses the CLI form {@code 1.2.0=90,1.3.0=10} into weights, in the order given, checked as
   * {@link #reslice} checks them.
   *
   * @throws IllegalArgumentException naming what is wrong with the spec
   */
  public static Map<String, Double> parseWeights(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.isBlank()) {
      throw new IllegalArgumentException("the split is empty; give VERSION=PERCENT pairs"
          + EXAMPLE);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String part : spec.split(",", -1)) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq <= 0 || eq != p.lastIndexOf('=')) {
        throw new IllegalArgumentException("'" + Names.printable(p)
            + "' is not VERSION=PERCENT" + EXAMPLE);
      }
      String version = p.substring(0, eq).strip();
      String w = p.substring(eq + 1).strip();
      double weight;
      try {
        BigDecimal d = new BigDecimal(w);
        if (d.stripTrailingZeros().scale() > 2) {
          throw new IllegalArgumentException("weight " + w + " of " + Names.printable(version)
              + " has more than two decimals (the finest step is 0.01%)");
        }
        weight = d.doubleValue();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("weight '" + Names.printable(w) + "' of "
            + Names.printable(version) + " is not a number" + EXAMPLE, e);
      }
      if (out.put(version, weight) != null) {
        throw new IllegalArgumentException("version " + Names.printable(version)
            + " is named twice in the split");
      }
    }
    return validate(out);
  }

  /**
   * A split with {@code newWeights} (in their iteration order) that moves the fewest buckets
   * from {@code previousOrNull}; with no previous split the arms are laid out contiguously.
   *
   * @throws IllegalArgumentException if the weights break a rule (see the class comment)
   */
  public static TrafficSplit reslice(TrafficSplit previousOrNull, Map<String, Double> newWeights) {
    Map<String, Double> w = validate(newWeights);
    int[] counts = BucketLayout.counts(w.values(), BUCKETS);
    Map<String, List<Range>> layout = previousOrNull == null
        ? BucketLayout.contiguous(w.keySet(), counts)
        : BucketLayout.moveFewest(previousOrNull.ranges, w.keySet(), counts);
    for (List<Range> r : layout.values()) {
      if (r.size() > MAX_RANGES_PER_ARM) {
        layout = BucketLayout.contiguous(w.keySet(), counts);
        break;
      }
    }
    return new TrafficSplit(w, layout);
  }

  /**
   * A split as stored: its weights and each arm's ranges, which must cover every bucket once
   * and hold, per arm, the number of buckets its weight gives.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TrafficSplit of(Map<String, Double> weights, Map<String, List<Range>> ranges) {
    Map<String, Double> w = validate(weights);
    Objects.requireNonNull(ranges, "ranges");
    for (String v : ranges.keySet()) {
      if (!w.containsKey(v)) {
        throw new IllegalArgumentException("version " + Names.printable(v)
            + " has bucket ranges but no weight");
      }
    }
    int[] counts = BucketLayout.counts(w.values(), BUCKETS);
    boolean[] seen = new boolean[BUCKETS];
    int i = 0;
    for (String v : w.keySet()) {
      int n = 0;
      for (Range r : ranges.getOrDefault(v, List.of())) {
        for (int b = r.from(); b < r.to(); b++) {
          if (seen[b]) {
            throw new IllegalArgumentException("bucket " + b + " is owned twice");
          }
          seen[b] = true;
        }
        n += r.size();
      }
      if (n != counts[i++]) {
        throw new IllegalArgumentException("version " + v + " owns " + n
            + " buckets, but its weight " + format(w.get(v)) + " gives " + counts[i - 1]);
      }
    }
    Map<String, List<Range>> sorted = new LinkedHashMap<>();
    ranges.forEach((v, r) -> sorted.put(v, BucketLayout.merged(r)));
    return new TrafficSplit(w, sorted);
  }

  /**
   * The version that owns {@code bucket}. Allocates nothing.
   *
   * @throws IllegalArgumentException if bucket is not in {@code [0, BUCKETS)}
   */
  public String versionFor(int bucket) {
    if (bucket < 0 || bucket >= BUCKETS) {
      throw new IllegalArgumentException("bucket " + bucket + " is not in [0, " + BUCKETS + ")");
    }
    int i = Arrays.binarySearch(starts, bucket);
    return owners[i >= 0 ? i : -i - 2];
  }

  /** Every version the split names (weight 0 included), in the order they were given. */
  public List<String> versions() {
    return List.copyOf(weights.keySet());
  }

  /** Version → weight in percent, in the order they were given. Unmodifiable. */
  public Map<String, Double> weights() {
    return weights;
  }

  /** Version → its ranges, ascending and merged; empty for a weight of 0. Unmodifiable. */
  public Map<String, List<Range>> ranges() {
    return ranges;
  }

  /** The weight of {@code version}, 0 if the split does not name it. */
  public double weight(String version) {
    return weights.getOrDefault(version, 0.0);
  }

  /** How many buckets {@code version} owns, 0 if the split does not name it. */
  public int bucketCount(String version) {
    int n = 0;
    for (Range r : ranges.getOrDefault(version, List.of())) {
      n += r.size();
    }
    return n;
  }

  /** The CLI form, e.g. {@code 1.2.0=90,1.3.0=10}. */
  public String spec() {
    return spec(weights);
  }

  /** {@code weights} in the CLI form, e.g. {@code 1.2.0=90,1.3.0=12.5}. */
  public static String spec(Map<String, Double> weights) {
    StringBuilder sb = new StringBuilder();
    weights.forEach((v, w) -> sb.append(sb.length() == 0 ? "" : ",").append(v).append('=')
        .append(format(w)));
    return sb.toString();
  }

  /** A weight as the CLI writes it: {@code 90}, {@code 12.5}. */
  public static String format(double w) {
    return BigDecimal.valueOf(w).stripTrailingZeros().toPlainString();
  }

  /**
   * The bucket of a routing key: a 64-bit FNV-1a hash of the key's UTF-8 bytes (an unpaired
   * surrogate counts as {@code '?'}, as {@link String#getBytes} writes it), mixed by the
   * MurmurHash3 {@code fmix64} finalizer, taken unsigned modulo {@value #BUCKETS}.
   *
   * <p><b>Wire-stable contract:</b> this function must never change. Servers sharing a store,
   * clients that pre-compute assignments, and tests rely on the same key landing in the same
   * bucket across versions of mlserve. Allocates nothing.
   */
  public static int bucketOf(String routingKey) {
    Objects.requireNonNull(routingKey, "routingKey");
    long h = 0xcbf29ce484222325L;
    int n = routingKey.length();
    for (int i = 0; i < n; i++) {
      char c = routingKey.charAt(i);
      if (c < 0x80) {
        h = fnv(h, c);
      } else if (c < 0x800) {
        h = fnv(fnv(h, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < n
          && Character.isLowSurrogate(routingKey.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, routingKey.charAt(++i));
        h = fnv(fnv(fnv(fnv(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)),
            0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        h = fnv(h, '?');
      } else {
        h = fnv(fnv(fnv(h, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
      }
    }
    return (int) Long.remainderUnsigned(fmix64(h), BUCKETS);
  }

  private static long fnv(long h, int b) {
    return (h ^ (b & 0xff)) * 0x100000001b3L;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** Checks the rules of the class comment; returns an ordered copy. */
  private static Map<String, Double> validate(Map<String, Double> weights) {
    Objects.requireNonNull(weights, "weights");
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("the split names no version" + EXAMPLE);
    }
    if (weights.size() > MAX_ARMS) {
      throw new IllegalArgumentException("a split names at most " + MAX_ARMS
          + " versions, got " + weights.size());
    }
    Map<String, Double> out = new LinkedHashMap<>();
    double sum = 0;
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      String v = e.getKey();
      Double w = e.getValue();
      if (v == null || !SemVer.isValid(v)) {
        throw new IllegalArgumentException("'" + Names.printable(v)
            + "' is not a semantic version (e.g. 1.2.0)");
      }
      if (w == null || !Double.isFinite(w) || w < 0 || w > 100) {
        throw new IllegalArgumentException("weight "
            + (w != null && Double.isFinite(w) ? format(w) : String.valueOf(w)) + " of " + v
            + " is not a percentage from 0 to 100");
      }
      if (Math.abs(w * 100 - Math.rint(w * 100)) > 1e-6) {
        throw new IllegalArgumentException("weight " + format(w) + " of " + v
            + " has more than two decimals (the finest step is 0.01%)");
      }
      sum += w;
      out.put(v, w);
    }
    if (Math.abs(sum - 100) > SUM_TOLERANCE) {
      throw new IllegalArgumentException("the weights add up to " + format(sum)
          + ", not 100: " + spec(out));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrafficSplit t && weights.equals(t.weights) && ranges.equals(t.ranges);
  }

  @Override
  public int hashCode() {
    return Objects.hash(weights, ranges);
  }

  @Override
  public String toString() {
    return spec();
  }
}
