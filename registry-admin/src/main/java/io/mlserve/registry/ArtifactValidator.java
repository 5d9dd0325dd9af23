package io.mlserve.registry;

import io.mlserve.store.Manifest;
import java.nio.file.Path;

/**
 * Checks a version before the registry makes it visible, typically by loading the artifact and
 * running its golden examples. Called with the fully written temp directory; throwing refuses
 * the registration (the exception's message becomes the reason). Implementations must be
 * thread-safe if one registry is used from several threads.
 */
@FunctionalInterface
public interface ArtifactValidator {
  void validate(Path versionDir, Manifest manifest) throws Exception;

  /** A validator that accepts everything. */
  static ArtifactValidator none() {
    return (versionDir, manifest) -> { };
  }
}
