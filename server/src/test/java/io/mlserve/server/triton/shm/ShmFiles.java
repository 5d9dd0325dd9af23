package io.mlserve.server.triton.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Shared-memory objects for tests: files under {@code /dev/shm} with unique names, deleted on
 * {@link #close}. Not thread-safe.
 */
public final class ShmFiles implements AutoCloseable {
  private final List<Path> created = new ArrayList<>();

  /** A new object of {@code bytes} zero bytes; returns its key ({@code "/name"}). */
  public String create(int bytes) throws IOException {
    Path p = SharedMemoryRegistry.SHM_ROOT.resolve("mlserve-test-" + UUID.randomUUID());
    created.add(p);
    Files.write(p, new byte[bytes]);
    return "/" + p.getFileName();
  }

  /** A symbolic link in /dev/shm to {@code target}; returns its key. */
  public String link(Path target) throws IOException {
    Path p = SharedMemoryRegistry.SHM_ROOT.resolve("mlserve-test-link-" + UUID.randomUUID());
    created.add(p);
    Files.createSymbolicLink(p, target);
    return "/" + p.getFileName();
  }

  /** The file a key names. */
  public static Path path(String key) {
    return SharedMemoryRegistry.SHM_ROOT.resolve(key.substring(1));
  }

  @Override
  public void close() throws IOException {
    for (Path p : created) {
      Files.deleteIfExists(p);
    }
  }
}
