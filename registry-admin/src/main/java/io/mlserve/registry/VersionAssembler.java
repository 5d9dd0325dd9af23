package io.mlserve.registry;

import io.mlserve.store.AtomicFiles;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelFormat;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * Writes a version's files into a temp directory: the artifact (hashed with SHA-256 while it is
 * copied), the optional examples.json, and model.json; everything fsynced. Stateless;
 * thread-safe.
 */
final class VersionAssembler {
  static final String EXAMPLES = "examples.json";
  static final String MANIFEST = "model.json";
  /** The description (model card, markdown), stored beside the manifest when there is one. */
  static final String MODEL_CARD = "MODEL_CARD.md";

  private VersionAssembler() {}

  /** Fills {@code dir} from the request and returns the manifest written there. */
  static Manifest assemble(AtomicFiles files, Path dir, RegisterRequest req, ModelFormat format,
      Instant createdAt) {
    try {
      String sha256 = copyHashing(files, req.artifact(), dir.resolve(format.artifactName()));
      if (req.examples() != null) {
        try (InputStream in = Files.newInputStream(req.examples())) {
          files.copyNew(in, dir.resolve(EXAMPLES));
        }
      }
      if (req.description() != null && !req.description().isBlank()) {
        files.write(dir.resolve(MODEL_CARD), req.description().getBytes(StandardCharsets.UTF_8));
      }
      Manifest manifest = new Manifest(req.model(), req.version(), format.id(),
          format.artifactName(), format.platform(), sha256, req.runId(), req.signature(),
          req.serving(), req.params(), req.metrics(), req.description(), createdAt);
      ManifestCodec.write(files, dir.resolve(MANIFEST), manifest);
      files.fsyncDirectory(dir);
      return manifest;
    } catch (IOException e) {
      throw new StoreException("cannot write version " + req.model() + ":" + req.version()
          + ": " + IoErrors.reason(e) + " (the version was not registered)", e);
    }
  }

  /**
   * The manifest with another version (a bump resolved under the store lock found a newer
   * highest version than when the directory was assembled), rewritten in {@code dir}.
   */
  static Manifest renumber(AtomicFiles files, Path dir, Manifest m, String version) {
    Manifest renumbered = new Manifest(m.name(), version, m.format(), m.artifact(), m.platform(),
        m.sha256(), m.runId(), m.signature(), m.serving(), m.params(), m.metrics(),
        m.description(), m.createdAt());
    ManifestCodec.write(files, dir.resolve(MANIFEST), renumbered);
    return renumbered;
  }

  private static String copyHashing(AtomicFiles files, Path from, Path to) throws IOException {
    MessageDigest sha = Sha256.digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(from), sha)) {
      files.copyNew(in, to);
    }
    return Sha256.hex(sha);
  }
}
