package io.mlserve.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What can be checked without an inference engine: the artifact is present, non-empty and has
 * the SHA-256 the manifest records; examples.json, if present, is a JSON object whose
 * {@code inputs} exist. The fallback of {@code mlctl --store} when no engine is on its classpath
 * ({@link ArtifactValidator#fromClasspath}), and the first step of the server's engine
 * validator. Loading the model and checking its golden examples need the engine. Stateless;
 * thread-safe.
 */
public final class BasicArtifactValidator implements ArtifactValidator {
  /** How registrations validated by this class are described to the operator. */
  public static final String NOTE = "basic checks only (artifact present, non-empty, sha256,"
      + " signature, examples.json parses): no inference engine on this classpath, so the model"
      + " was NOT loaded; bin/mlctl (which puts the server's engine on its classpath) or"
      + " registering through a server loads it, warms it up and checks its golden examples";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String description() {
    return NOTE;
  }

  @Override
  public void validate(Path versionDir, Manifest manifest) throws Exception {
    Path artifact = versionDir.resolve(manifest.artifact());
    if (!Files.isRegularFile(artifact) || Files.size(artifact) == 0) {
      throw new IllegalStateException("artifact " + manifest.artifact() + " is missing or empty");
    }
    String actual = Sha256.hexOfFile(artifact);
    if (!actual.equals(manifest.sha256())) {
      throw new IllegalStateException("artifact sha256 " + actual + " differs from the manifest's "
          + manifest.sha256());
    }
    Path examples = versionDir.resolve(VersionAssembler.EXAMPLES);
    if (Files.exists(examples)) {
      JsonNode node = JSON.readTree(examples.toFile());
      if (node == null || !node.isObject() || !node.has("inputs")) {
        throw new IllegalStateException("examples.json must be an object with \"inputs\"");
      }
    }
  }
}
