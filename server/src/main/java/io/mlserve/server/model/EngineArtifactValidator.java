package io.mlserve.server.model;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Validates a version before the registry makes it visible by loading it exactly as the server
 * would (on one instance): engine load, warm-up at every batch size, health check and golden
 * examples. Then it frees it again. Thread-safe.
 */
public final class EngineArtifactValidator implements ArtifactValidator {
  private final ModelLoader loader;

  public EngineArtifactValidator(ModelLoader loader) {
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  @Override
  public void validate(Path versionDir, Manifest manifest) throws Exception {
    loader.check(versionDir, manifest); // one instance, whatever the manifest asks for
  }
}
