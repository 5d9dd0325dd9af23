package io.mlserve.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.Manifest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * What can be checked without an inference engine (for {@code mlctl --store}): the artifact is
 * present, non-empty and has the SHA-256 the manifest records; examples.json, if present, is a
 * JSON object whose {@code inputs} exist. Loading the model and a smoke prediction need the
 * server's engine validator. Stateless; thread-safe.
 */
public final class BasicArtifactValidator implements ArtifactValidator {
  /** How registrations validated by this class are described to the operator. */
  public static final String NOTE = "basic checks only (artifact present, non-empty, sha256,"
      + " signature, examples.json parses); engine validation (load + smoke prediction)"
      + " happens when registering through a server";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void validate(Path versionDir, Manifest manifest) throws Exception {
    Path artifact = versionDir.resolve(manifest.artifact());
    if (!Files.isRegularFile(artifact) || Files.size(artifact) == 0) {
      throw new IllegalStateException("artifact " + manifest.artifact() + " is missing or empty");
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(artifact)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    String actual = HexFormat.of().formatHex(sha.digest());
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
