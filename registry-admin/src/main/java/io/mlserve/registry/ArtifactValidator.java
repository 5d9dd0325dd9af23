package io.mlserve.registry;

import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Checks a version before the registry makes it visible, typically by loading the artifact and
 * running its golden examples. Called with the fully written temp directory; throwing refuses
 * the registration (the exception's message becomes the reason). Implementations must be
 * thread-safe if one registry is used from several threads.
 *
 * <p>An implementation that needs no arguments can be offered to tools that only have this
 * module (such as {@code mlctl --store}) through {@link ServiceLoader}: a
 * {@code META-INF/services/io.mlserve.registry.ArtifactValidator} entry naming a public class
 * with a public no-argument constructor; {@link #fromClasspath} finds it.
 */
@FunctionalInterface
public interface ArtifactValidator {
  void validate(Path versionDir, Manifest manifest) throws Exception;

  /** How versions checked by this validator are described to the operator. */
  default String description() {
    return "none";
  }

  /** A validator that accepts everything. */
  static ArtifactValidator none() {
    return (versionDir, manifest) -> { };
  }

  /**
   * The validator an inference engine on the classpath provides through {@link ServiceLoader}
   * (the server's: load, warm-up, health check, golden examples), else
   * {@link BasicArtifactValidator}, whose description says that no engine was found.
   */
  static ArtifactValidator fromClasspath() {
    return ServiceLoader.load(ArtifactValidator.class).findFirst()
        .orElseGet(BasicArtifactValidator::new);
  }
}
