package io.mlserve.server.triton;

import java.util.Objects;

/**
 * One line of the repository index (Triton's {@code RepositoryIndexResponse.ModelIndex}): a
 * registered version of a model, its state on this server and why. Immutable.
 *
 * @param name the model
 * @param version the version
 * @param state {@link #READY}, {@link #LOADING} or {@link #UNAVAILABLE}
 * @param reason why the version is not ready, empty when it is
 */
public record RepositoryEntry(String name, String version, String state, String reason) {
  /** Loaded on this server: requests naming it are answered. */
  public static final String READY = "READY";
  /** Being loaded by the reload path (its stage pointer moved to it). */
  public static final String LOADING = "LOADING";
  /** Not loaded; {@link #reason} says why and how to load it. */
  public static final String UNAVAILABLE = "UNAVAILABLE";

  public RepositoryEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    reason = reason == null ? "" : reason;
  }

  /** Whether the version answers requests now. */
  public boolean ready() {
    return state.equals(READY);
  }
}
