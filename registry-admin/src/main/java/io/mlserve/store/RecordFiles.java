package io.mlserve.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads one small record file of the store (a policy, a deployment, an evaluation, a reference
 * profile) the way every such read must: a symlink is refused (nothing may resolve outside the
 * store), the size is bounded, and failures name the record as the caller describes it, never a
 * server path. Stateless; thread-safe.
 */
public final class RecordFiles {
  private RecordFiles() {}

  /**
   * The file's bytes; empty if it does not exist.
   *
   * @param what the record as messages name it, e.g. {@code m/deployment.json}
   * @param maxBytes the largest size accepted
   * @throws StoreException if it is a symlink, unreadable, or larger than {@code maxBytes}
   */
  public static Optional<byte[]> read(Path file, String what, int maxBytes) {
    if (Files.isSymbolicLink(file)) {
      throw new StoreException(what + " is a symlink; refusing it");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(maxBytes + 1);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException("cannot read " + what + ": " + IoErrors.reason(e), e);
    }
    if (bytes.length > maxBytes) {
      throw new StoreException(what + " is larger than " + size(maxBytes) + "; refusing it");
    }
    return Optional.of(bytes);
  }

  private static String size(int bytes) {
    return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB"
        : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
  }
}
