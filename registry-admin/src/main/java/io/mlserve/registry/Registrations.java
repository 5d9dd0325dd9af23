package io.mlserve.registry;

import io.mlserve.experiments.Run;
import io.mlserve.experiments.RunStore;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link RegisterSpec} into a complete {@link RegisterRequest}: the version (explicit or
 * bumped from the highest), the artifact (given, or the run's model file), the format (given, or
 * told from the file's content by {@link ArtifactFormats}, which also refuses a file whose
 * content contradicts it), the signature (given; for ONNX the graph's own, read by
 * {@link OnnxSignatures}; else inherited from the latest version), the serving config
 * (inherited from the latest version), and the lineage (the run's params and last metric values
 * copied into the manifest). Stateless.
 */
public final class Registrations {
  private Registrations() {}

  /**
   * @throws InvalidRequestException if something needed is missing or contradictory
   * @throws io.mlserve.store.NotFoundException for an unknown run
   */
  public static RegisterRequest resolve(RegisterSpec spec, ModelRegistry registry,
      RunStore runs) {
    String model = RegisterChecks.modelName(spec.model());
    boolean hasVersion = spec.version() != null && !spec.version().isBlank();
    boolean hasBump = spec.bump() != null && !spec.bump().isBlank();
    if (hasVersion == hasBump) {
      throw new InvalidRequestException(
          "give exactly one of version (e.g. 1.2.0) and bump (patch, minor, major)");
    }
    String version = hasVersion ? spec.version() : registry.nextVersion(model, spec.bump());

    Run run = null;
    if (spec.runId() != null && !spec.runId().isBlank()) {
      try {
        run = runs.get(model, spec.runId());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage(), e);
      }
    }
    Path artifact = spec.artifact();
    if (artifact == null) {
      if (run == null) {
        throw new InvalidRequestException("give an artifact file or a run whose artifact to"
            + " register");
      }
      artifact = runs.modelArtifact(model, run.runId());
    }
    // A missing or empty file is refused by the registration's own checks, with the others.
    boolean readable = Files.isRegularFile(artifact) && size(artifact) > 0;
    String format = spec.format() != null && !spec.format().isBlank() ? spec.format()
        : readable ? ArtifactFormats.detect(artifact).id()
        : artifact.getFileName().toString().endsWith(".onnx") ? "onnx" : "torchscript";
    if (readable) {
      ArtifactFormats.check(artifact, RegisterChecks.format(format));
    }

    Optional<Manifest> latest = latest(registry.store(), model);
    boolean given = spec.signature() != null && !spec.signature().inputs().isEmpty();
    Signature signature = given ? spec.signature()
        : readable && format.equalsIgnoreCase("onnx") ? OnnxSignatures.read(artifact)
        : latest.map(Manifest::signature).orElseThrow(() -> new InvalidRequestException(
            "model " + model + " has no version yet: give its signature (inputs and outputs)"));
    ServingConfig serving = spec.serving() != null ? spec.serving()
        : latest.map(Manifest::serving).orElse(null);
    Map<String, Object> params = run == null ? Map.of() : run.params();
    Map<String, Object> metrics = run == null ? Map.of() : run.latestMetrics();
    return new RegisterRequest(model, version, artifact, format, signature, serving,
        run == null ? null : run.runId(), params, metrics, spec.description(), spec.examples(),
        spec.actor(), hasBump ? spec.bump() : null);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static Optional<Manifest> latest(ModelStore store, String model) {
    if (!store.hasModel(model)) {
      return Optional.empty();
    }
    List<String> versions = store.versions(model);
    return versions.isEmpty() ? Optional.empty()
        : Optional.of(store.manifest(model, versions.get(versions.size() - 1)));
  }
}
