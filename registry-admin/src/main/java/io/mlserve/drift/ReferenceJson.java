package io.mlserve.drift;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.AtomicFiles;
import io.mlserve.store.FileOps;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.RecordFiles;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A version's stored reference profile, {@code versions/<v>/reference.json}:
 *
 * <pre>{@code
 * {"format": 1, "model": "curve_forecaster", "version": "1.0.0",
 *  "source": "dataset:train_sample@9f2c..", "rows": 1000, "created_millis": 1764460800000,
 *  "inputs": [{"name": "curve[0]", "count": 1000, "missing": 0, "mean": 0.031, "std": 0.004,
 *              "min": 0.02, "max": 0.043, "edges": [..9 values..],
 *              "fractions": [..10 values..], "quantiles": [..101 values..]}, ..],
 *  "outputs": [..same shape..]}
 * }</pre>
 *
 * <p>Every number is finite (a profile with a NaN or an infinity is refused on write and on
 * read). Writes are atomic: temp file, fsync, rename, directory fsync. Reads refuse a symlinked
 * file, one over {@link #MAX_BYTES}, and one that is not a valid profile, with a message naming
 * the file as {@code <model>/versions/<v>/reference.json} and what is wrong. Stateless;
 * thread-safe.
 */
public final class ReferenceJson {
  /** The largest reference file read: 4096 + 4096 features of about 3 KiB each, with room. */
  public static final int MAX_BYTES = 64 << 20;
  private static final int FORMAT = 1;
  private static final double FRACTION_SLACK = 1e-6;
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ReferenceJson() {}

  /** Writes {@code profile} as {@code versionDir/reference.json} on the real filesystem. */
  public static void write(Path versionDir, ReferenceProfile profile) throws IOException {
    write(new AtomicFiles(FileOps.DEFAULT), versionDir, profile);
  }

  /**
   * Writes {@code profile} as {@code versionDir/reference.json} through {@code files}: the
   * rename is the commit; a failure leaves the previous file (or none) as it was.
   *
   * @throws IllegalArgumentException if the profile holds a number that is not finite
   */
  public static void write(AtomicFiles files, Path versionDir, ReferenceProfile profile)
      throws IOException {
    files.write(versionDir.resolve(ReferenceProfile.FILE_NAME), bytes(profile));
  }

  /**
   * The version's stored profile; empty if it has none.
   *
   * @throws StoreException if the file is unreadable, too large, a symlink, or not a valid
   *     profile
   */
  public static Optional<ReferenceProfile> read(Path versionDir) {
    Path file = versionDir.resolve(ReferenceProfile.FILE_NAME);
    String what = name(versionDir);
    Optional<byte[]> bytes = RecordFiles.read(file, what, MAX_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(bytes.get()));
    } catch (IllegalArgumentException e) {
      throw new StoreException(what + " is not a valid reference profile: " + e.getMessage(), e);
    }
  }

  /** What a read of a version without a profile answers where one is required. */
  public static NotFoundException missing(String model, String version) {
    return new NotFoundException(model + ":" + version + " has no reference profile; compute one"
        + " with mlctl reference set");
  }

  /** The file's name as messages give it: {@code <model>/versions/<v>/reference.json}. */
  static String name(Path versionDir) {
    Path abs = versionDir.toAbsolutePath().normalize();
    int n = abs.getNameCount();
    Path rel = n >= 3 ? abs.subpath(n - 3, n) : abs.getFileName();
    return (rel == null ? "" : rel.toString().replace('\\', '/') + "/")
        + ReferenceProfile.FILE_NAME;
  }

  /**
   * The JSON bytes of {@code profile}.
   *
   * @throws IllegalArgumentException if it holds a number that is not finite
   */
  public static byte[] bytes(ReferenceProfile profile) {
    Objects.requireNonNull(profile, "profile");
    ObjectNode n = MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("model", profile.model());
    n.put("version", profile.version());
    n.put("source", profile.source());
    n.put("rows", profile.rows());
    n.put("created_millis", profile.createdMillis());
    features(n.putArray("inputs"), profile.inputs());
    features(n.putArray("outputs"), profile.outputs());
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a reference profile could not be written as JSON", e);
    }
  }

  private static void features(ArrayNode out, List<FeatureProfile> features) {
    for (FeatureProfile f : features) {
      ObjectNode o = out.addObject();
      o.put("name", f.name());
      o.put("count", f.count());
      o.put("missing", f.missing());
      o.put("mean", finite(f.mean(), f.name(), "mean"));
      o.put("std", finite(f.std(), f.name(), "std"));
      o.put("min", finite(f.min(), f.name(), "min"));
      o.put("max", finite(f.max(), f.name(), "max"));
      array(o.putArray("edges"), f.edges(), f.name(), "edges");
      array(o.putArray("fractions"), f.fractions(), f.name(), "fractions");
      array(o.putArray("quantiles"), f.quantiles(), f.name(), "quantiles");
    }
  }

  private static void array(ArrayNode out, double[] values, String feature, String field) {
    for (double v : values) {
      out.add(finite(v, feature, field));
    }
  }

  private static double finite(double v, String feature, String field) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("feature '" + feature + "': " + field + " holds " + v
          + "; a reference profile holds finite numbers only");
    }
    return v;
  }

  /**
   * Parses a profile from its JSON bytes.
   *
   * @throws IllegalArgumentException naming the field, if it is not a valid profile
   */
  public static ReferenceProfile parse(byte[] bytes) {
    JsonNode n;
    try {
      n = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException("not readable JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("the document must be a JSON object");
    }
    JsonNode format = n.get("format");
    if (format == null || !format.canConvertToInt() || format.asInt() != FORMAT) {
      throw new IllegalArgumentException("'format' must be " + FORMAT);
    }
    return new ReferenceProfile(text(n, "model", "the profile"), text(n, "version", "the profile"),
        text(n, "source", "the profile"), count(n, "rows", "the profile"),
        integer(n, "created_millis", "the profile"), features(n, "inputs"),
        features(n, "outputs"));
  }

  private static List<FeatureProfile> features(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException("'" + field + "' must be an array of features");
    }
    List<FeatureProfile> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(feature(a.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  private static FeatureProfile feature(JsonNode f, String where) {
    if (!f.isObject()) {
      throw new IllegalArgumentException(where + " must be an object");
    }
    String name = text(f, "name", where);
    long count = count(f, "count", where);
    double[] edges = numbers(f, "edges", where);
    double[] fractions = numbers(f, "fractions", where);
    double[] quantiles = numbers(f, "quantiles", where);
    for (int i = 1; i < edges.length; i++) {
      if (!(edges[i] > edges[i - 1])) {
        throw new IllegalArgumentException(where + ".edges must ascend strictly");
      }
    }
    if (fractions.length != edges.length + 1) {
      throw new IllegalArgumentException(where + ": " + edges.length + " edges need "
          + (edges.length + 1) + " fractions, got " + fractions.length);
    }
    double sum = 0;
    for (double v : fractions) {
      if (v < 0 || v > 1) {
        throw new IllegalArgumentException(where + ".fractions must lie in [0, 1]");
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > FRACTION_SLACK) {
      throw new IllegalArgumentException(where + ".fractions must sum to 1, not " + sum);
    }
    if (quantiles.length != (count == 0 ? 0 : Quantiles.POINTS)) {
      throw new IllegalArgumentException(where + ".quantiles must hold " + Quantiles.POINTS
          + " values (none for a feature without values), not " + quantiles.length);
    }
    for (int i = 1; i < quantiles.length; i++) {
      if (quantiles[i] < quantiles[i - 1]) {
        throw new IllegalArgumentException(where + ".quantiles must ascend");
      }
    }
    double std = number(f, "std", where);
    if (std < 0) {
      throw new IllegalArgumentException(where + ".std must not be negative");
    }
    return new FeatureProfile(name, count, count(f, "missing", where), number(f, "mean", where),
        std, number(f, "min", where), number(f, "max", where), edges, fractions, quantiles);
  }

  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a string");
    }
    return v.asText();
  }

  private static long integer(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be an integer");
    }
    return v.asLong();
  }

  private static long count(JsonNode n, String field, String where) {
    long v = integer(n, field, where);
    if (v < 0) {
      throw new IllegalArgumentException(where + ": '" + field + "' must not be negative");
    }
    return v;
  }

  private static double number(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a finite number");
    }
    return v.asDouble();
  }

  private static double[] numbers(JsonNode n, String field, String where) {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be an array of"
          + " numbers");
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
        throw new IllegalArgumentException(where + "." + field + "[" + i + "] must be a finite"
            + " number");
      }
      out[i] = v.asDouble();
    }
    return out;
  }
}
