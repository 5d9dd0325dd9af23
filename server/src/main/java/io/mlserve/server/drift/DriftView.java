package io.mlserve.server.drift;

import java.util.Optional;

/**
 * Read access to the latest drift figures of served versions, for alert rules and dashboards.
 * Implementations are thread-safe and answer from memory (never compute on the caller's thread).
 */
@FunctionalInterface
public interface DriftView {
  /** Knows nothing. */
  DriftView NONE = (model, version) -> Optional.empty();

  /** The latest figures of a version, empty until its first window was compared. */
  Optional<DriftSnapshot> latest(String model, String version);
}
