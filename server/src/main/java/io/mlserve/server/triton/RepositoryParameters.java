package io.mlserve.server.triton;

import io.mlserve.server.core.InferenceException;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parameters of a repository load or unload, checked: which Triton parameters mean something
 * on a registry-backed server and which are refused with a reason. Values arrive decoded by the
 * transport: {@link Boolean}, {@link Long}, {@link String} or {@code byte[]} (gRPC's
 * {@code ModelRepositoryParameter} choices; JSON's booleans, integers and strings).
 *
 * <ul>
 *   <li>{@code version} (string, load and unload): the registered version to load or unload;
 *       without it a load means the Production version and an unload every loaded version;
 *   <li>{@code unload_dependents} (boolean, unload): accepted and ignored, as no model here
 *       depends on another (there are no ensembles);
 *   <li>{@code config} and {@code file:...} (load): refused, because a version's configuration
 *       and files are its registered, immutable manifest and artifact.
 * </ul>
 *
 * <p>Immutable; thread-safe.
 *
 * @param version the named version, or null
 */
public record RepositoryParameters(String version) {
  /** The parameter naming a version (an mlserve addition to Triton's set). */
  public static final String VERSION = "version";
  /** Triton's unload parameter for ensembles' members. */
  public static final String UNLOAD_DEPENDENTS = "unload_dependents";

  /** Checks a load's parameters. */
  public static RepositoryParameters forLoad(Map<String, Object> params) {
    for (String name : params.keySet()) {
      if (name.equals("config")) {
        throw InferenceException.invalid("parameter 'config' is not supported: a version's"
            + " configuration is its registered manifest, which never changes; register a new"
            + " version with the configuration you want");
      }
      if (name.startsWith("file:")) {
        throw InferenceException.invalid("parameter '" + name + "' is not supported: model"
            + " files come from the registry; register them as a new version");
      }
      requireKnown(name, "load", VERSION);
    }
    return new RepositoryParameters(version(params));
  }

  /** Checks an unload's parameters. */
  public static RepositoryParameters forUnload(Map<String, Object> params) {
    for (Map.Entry<String, Object> e : params.entrySet()) {
      requireKnown(e.getKey(), "unload", VERSION, UNLOAD_DEPENDENTS);
      if (e.getKey().equals(UNLOAD_DEPENDENTS) && !(e.getValue() instanceof Boolean)) {
        throw InferenceException.invalid("parameter '" + UNLOAD_DEPENDENTS
            + "' must be a boolean");
      }
    }
    return new RepositoryParameters(version(params));
  }

  private static void requireKnown(String name, String call, String... known) {
    for (String k : known) {
      if (k.equals(name)) {
        return;
      }
    }
    throw InferenceException.invalid("unknown " + call + " parameter '" + name + "'; accepted: "
        + String.join(", ", new TreeSet<>(java.util.List.of(known))));
  }

  private static String version(Map<String, Object> params) {
    Object v = params.get(VERSION);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw InferenceException.invalid("parameter '" + VERSION + "' must be a non-empty string"
          + " naming a registered version, e.g. \"1.2.0\"");
    }
    return s;
  }
}
