package io.mlserve.registry;

import io.mlserve.store.Manifest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Work a registration does on a version's directory after validation and before the version
 * becomes visible, adding files derived from it (the drift reference profile,
 * {@code reference.json}). It runs outside the store lock on the private temp directory; throwing
 * refuses the registration (the exception's message becomes the reason) and the directory is
 * discarded, so a failed step leaves no trace. Implementations must be thread-safe if one is
 * shared by concurrent registrations.
 */
public interface InstallStep {
  /**
   * Adds files to {@code versionDir}.
   *
   * @param manifest the version's manifest as validated
   */
  void run(Path versionDir, Manifest manifest) throws Exception;

  /**
   * Called under the store lock when a bump resolved to another version than {@code run} saw
   * (a concurrent registration took it): files that name the version are brought up to date.
   */
  default void renumbered(Path versionDir, Manifest manifest) throws IOException {}
}
