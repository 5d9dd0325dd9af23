package io.mlserve.registry;

import io.mlserve.store.AtomicFiles;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelFormat;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

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
  static Manifest assemble(Path dir, RegisterRequest req, ModelFormat format, Instant createdAt) {
    try {
      String sha256 = copyHashing(req.artifact(), dir.resolve(format.artifactName()));
      if (req.examples() != null) {
        Path copy = dir.resolve(EXAMPLES);
        Files.copy(req.examples(), copy, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsync(copy);
      }
      if (req.description() != null && !req.description().isBlank()) {
        Path card = dir.resolve(MODEL_CARD);
        Files.writeString(card, req.description(), StandardOpenOption.CREATE_NEW);
        AtomicFiles.fsync(card);
      }
      Manifest manifest = new Manifest(req.model(), req.version(), format.id(),
          format.artifactName(), format.platform(), sha256, req.runId(), req.signature(),
          req.serving(), req.params(), req.metrics(), req.description(), createdAt);
      ManifestCodec.write(dir.resolve(MANIFEST), manifest);
      AtomicFiles.fsyncDirectory(dir);
      return manifest;
    } catch (IOException e) {
      throw new StoreException("cannot write version " + req.model() + ":" + req.version()
          + " into " + dir + ": " + e, e);
    }
  }

  private static String copyHashing(Path from, Path to) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(from), sha);
        OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
      in.transferTo(out);
    }
    AtomicFiles.fsync(to);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
