package io.mlserve.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digests the store records (artifacts, datasets, version contents): a fresh
 * digest to feed as bytes stream by, a file's digest read in 64 KiB chunks (never whole into
 * memory, so a file of any size takes the same memory), and the lower-case hex form every
 * manifest, record and client compares. A file that cannot be read fails with the
 * {@link IOException} of opening or reading it; callers word it for their users. Stateless;
 * thread-safe.
 */
public final class Sha256 {
  private static final int CHUNK = 1 << 16;

  private Sha256() {}

  /** A new SHA-256 digest (one per hash: a digest is not thread-safe). */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** {@code digest}'s result (the digest is reset) as lower-case hex. */
  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The SHA-256 of {@code file}'s bytes, read in chunks. */
  public static byte[] ofFile(Path file) throws IOException {
    MessageDigest sha = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[CHUNK];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return sha.digest();
  }

  /** The SHA-256 of {@code file}'s bytes as lower-case hex, read in chunks. */
  public static String hexOfFile(Path file) throws IOException {
    return HexFormat.of().formatHex(ofFile(file));
  }
}
