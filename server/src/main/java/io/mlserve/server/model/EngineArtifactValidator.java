package io.mlserve.server.model;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.BasicArtifactValidator;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Validates a version before the registry makes it visible by loading it exactly as the server
 * would: the basic checks (artifact present, sha256, examples.json parses), then engine load
 * (on one instance, whatever the manifest asks for), warm-up at every batch size, health check and golden examples. Then it frees it again.
 *
 * <p>Also the {@link java.util.ServiceLoader} provider of {@link ArtifactValidator} (listed in
 * {@code META-INF/services}), so that {@code mlctl --store} run with the server's classpath
 * ({@code bin/mlctl} does that) validates registrations as the server does. Thread-safe.
 */
public final class EngineArtifactValidator implements ArtifactValidator {
  private final ModelLoader loader;
  private final BasicArtifactValidator basic = new BasicArtifactValidator();

  /** With the server's engines (DJL) and no serving overrides: what the ServiceLoader uses. */
  public EngineArtifactValidator() {
    this(new ModelLoader(Engines.all(), Ticker.system(), Function.identity(),
        new MetricsRegistry(), Telemetry.disabled()));
  }

  public EngineArtifactValidator(ModelLoader loader) {
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  @Override
  public String description() {
    return AdminServices.ENGINE_VALIDATION;
  }

  @Override
  public void validate(Path versionDir, Manifest manifest) throws Exception {
    basic.validate(versionDir, manifest);
    loader.check(versionDir, manifest); // one instance, whatever the manifest asks for
  }
}
