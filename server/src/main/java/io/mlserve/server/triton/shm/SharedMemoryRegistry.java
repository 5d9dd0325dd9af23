package io.mlserve.server.triton.shm;

import io.mlserve.server.triton.shm.SharedMemoryException.Reason;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system shared-memory regions clients registered (Triton's system shared-memory
 * extension), transport-free. {@link #register} maps {@code offset .. offset + byteSize} of the
 * POSIX shared-memory object a key names ({@code "/input_data"} is {@code /dev/shm/input_data},
 * as {@code shm_open} reads it) read-write; requests then read inputs from and write outputs to
 * it through a {@link ShmRequest}.
 *
 * <p>What is refused, each with a message naming it: a key that is empty, holds a {@code /}
 * after its optional leading one, is {@code .} or {@code ..}, or names a symbolic link (a link
 * could lead outside {@code /dev/shm}; shared-memory objects are never links, and the object is
 * opened with {@code O_NOFOLLOW} so a link swapped in after the check is refused too); a missing
 * object or one that is not a regular file; an offset or size that is negative, zero-sized or
 * reaches past the object's end; a region larger than 2 GiB - 1 (one Java mapping); a name
 * already registered (as Triton); more than {@code maxRegions} regions or more than
 * {@code maxBytes} mapped bytes (regions unregistered while requests still use them count until
 * released).
 *
 * <p>Unregistering an unknown name succeeds and does nothing, as in Triton. Unregistering a
 * region that requests are using removes its name at once; its mapping is released when the
 * last of them finishes ({@link MappedRegion}).
 *
 * <p>When disabled, registration is refused ({@link Reason#DISABLED}), status lists nothing and
 * requests naming a region are refused.
 *
 * <p>This class is thread-safe: the table is guarded by {@code this}; mapping happens under it
 * (open, fstat and mmap of a tmpfs object take microseconds and never wait on a peer).
 */
public final class SharedMemoryRegistry implements AutoCloseable {
  /** Where POSIX shared-memory objects live on Linux. */
  public static final Path SHM_ROOT = Path.of("/dev/shm");
  /** The longest region name accepted. */
  static final int MAX_NAME_CHARS = 256;

  private final boolean enabled;
  private final int maxRegions;
  private final long maxBytes;
  // Guarded by this.
  private final Map<String, MappedRegion> regions = new TreeMap<>();
  // Guarded by this: bytes of every mapping not yet released, registered or not.
  private long mappedBytes;

  /**
   * @param enabled whether clients may register regions at all
   * @param maxRegions the most regions registered at once
   * @param maxBytes the most bytes mapped at once
   */
  public SharedMemoryRegistry(boolean enabled, int maxRegions, long maxBytes) {
    if (maxRegions < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("maxRegions and maxBytes must be positive");
    }
    this.enabled = enabled;
    this.maxRegions = maxRegions;
    this.maxBytes = maxBytes;
  }

  /** A registry that refuses every registration (the feature turned off). */
  public static SharedMemoryRegistry disabled() {
    return new SharedMemoryRegistry(false, 1, 1);
  }

  /** Whether clients may register regions. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Maps and registers a region.
   *
   * @param key the object's key as the client passes it to {@code shm_open}
   * @param offset where the region starts in the object
   * @param byteSize the region's size
   * @throws SharedMemoryException naming what was refused
   */
  public synchronized void register(String name, String key, long offset, long byteSize) {
    if (!enabled) {
      throw disabledError();
    }
    checkName(name);
    if (regions.containsKey(name)) {
      throw new SharedMemoryException(Reason.EXISTS,
          "shared memory region '" + name + "' is already registered; unregister it first");
    }
    if (offset < 0) {
      throw new SharedMemoryException(Reason.INVALID, "region '" + name + "': offset "
          + Long.toUnsignedString(offset) + " is out of range");
    }
    if (byteSize <= 0 || byteSize > Integer.MAX_VALUE) {
      throw new SharedMemoryException(Reason.INVALID, "region '" + name + "': byte_size "
          + Long.toUnsignedString(byteSize) + " must be between 1 and " + Integer.MAX_VALUE);
    }
    if (regions.size() >= maxRegions) {
      throw new SharedMemoryException(Reason.LIMIT, "cannot register region '" + name + "': "
          + maxRegions + " regions are registered, the most this server takes "
          + "(--shm-max-regions); unregister one first");
    }
    if (byteSize > maxBytes - mappedBytes) {
      throw new SharedMemoryException(Reason.LIMIT, "cannot register region '" + name + "': "
          + byteSize + " more bytes would map " + (mappedBytes + byteSize) + ", over the "
          + maxBytes + " this server maps at most (--shm-max-bytes)");
    }
    Path object = resolve(name, key);
    MappedByteBuffer buffer;
    try (FileChannel ch = FileChannel.open(object, StandardOpenOption.READ,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (offset > size || byteSize > size - offset) {
        throw new SharedMemoryException(Reason.INVALID, "region '" + name + "': offset "
            + offset + " + byte_size " + byteSize + " reaches past the end of shared memory "
            + "object '" + key + "' (" + size + " bytes)");
      }
      buffer = ch.map(FileChannel.MapMode.READ_WRITE, offset, byteSize);
    } catch (NoSuchFileException e) {
      throw missing(name, key);
    } catch (IOException e) {
      throw new SharedMemoryException(Reason.INVALID, "region '" + name + "': cannot map "
          + "shared memory object '" + key + "' read-write (" + reason(e) + ")");
    }
    RegionStatus status = new RegionStatus(name, key, offset, byteSize);
    regions.put(name, new MappedRegion(status, buffer, () -> unmapped(byteSize)));
    mappedBytes += byteSize;
  }

  /**
   * Unregisters {@code name}, or every region when it is empty; an unknown name is no error.
   * A region in use is unmapped once the requests using it finish.
   */
  public void unregister(String name) {
    List<MappedRegion> removed = new ArrayList<>();
    synchronized (this) {
      if (name == null || name.isEmpty()) {
        removed.addAll(regions.values());
        regions.clear();
      } else {
        MappedRegion r = regions.remove(name);
        if (r != null) {
          removed.add(r);
        }
      }
    }
    removed.forEach(MappedRegion::release); // outside the lock: may unmap
  }

  /**
   * The status of {@code name}, or of every region (by name) when it is empty.
   *
   * @throws SharedMemoryException NOT_FOUND for a name not registered
   */
  public synchronized List<RegionStatus> status(String name) {
    if (name == null || name.isEmpty()) {
      return regions.values().stream().map(MappedRegion::status).toList();
    }
    MappedRegion r = regions.get(name);
    if (r == null) {
      throw notFound(name);
    }
    return List.of(r.status());
  }

  /** Bytes mapped now, including unregistered regions still in use. */
  public synchronized long mappedBytes() {
    return mappedBytes;
  }

  /**
   * Takes a reference to a registered region for a request; the caller must
   * {@link MappedRegion#release} it.
   */
  synchronized MappedRegion acquire(String name) {
    MappedRegion r = regions.get(name);
    if (r == null || !r.retain()) {
      throw notFound(name);
    }
    return r;
  }

  /** Unregisters every region (server shutdown); regions in use unmap when released. */
  @Override
  public void close() {
    unregister("");
  }

  private synchronized void unmapped(long bytes) {
    mappedBytes -= bytes;
  }

  static SharedMemoryException disabledError() {
    return new SharedMemoryException(Reason.DISABLED, "system shared memory is disabled on "
        + "this server; start it with --system-shared-memory to use it");
  }

  private static SharedMemoryException notFound(String name) {
    return new SharedMemoryException(Reason.NOT_FOUND,
        "system shared memory region '" + name + "' is not registered");
  }

  private static SharedMemoryException missing(String name, String key) {
    return new SharedMemoryException(Reason.INVALID, "region '" + name + "': no shared memory "
        + "object '" + key + "' exists (create it with shm_open before registering)");
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new SharedMemoryException(Reason.INVALID, "a region needs a non-empty name");
    }
    if (name.length() > MAX_NAME_CHARS || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new SharedMemoryException(Reason.INVALID, "a region name must be at most "
          + MAX_NAME_CHARS + " printable characters");
    }
  }

  /**
   * The object a key names, directly under {@link #SHM_ROOT} and not a symbolic link: the
   * rule {@code shm_open} applies (one optional leading slash, no other), checked on the
   * canonical path so that nothing outside {@code /dev/shm} can be reached.
   */
  static Path resolve(String name, String key) {
    String what = "region '" + name + "': key '" + key + "'";
    if (key == null || key.isEmpty()) {
      throw new SharedMemoryException(Reason.INVALID, "region '" + name + "': key is empty");
    }
    String object = key.startsWith("/") ? key.substring(1) : key;
    if (object.isEmpty() || object.contains("/") || object.equals(".") || object.equals("..")
        || object.indexOf('\0') >= 0) {
      throw new SharedMemoryException(Reason.INVALID, what + " must name a POSIX shared "
          + "memory object as shm_open takes it, like '/input_data' (no other '/', no '..')");
    }
    Path root;
    try {
      root = SHM_ROOT.toRealPath();
    } catch (IOException e) {
      throw new SharedMemoryException(Reason.INVALID,
          "this host has no POSIX shared memory directory; system shared memory cannot be used");
    }
    Path p = root.resolve(object);
    if (Files.isSymbolicLink(p)) {
      throw new SharedMemoryException(Reason.INVALID, what + " is a symbolic link; only shared"
          + " memory objects themselves are accepted");
    }
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw missing(name, key);
    }
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new SharedMemoryException(Reason.INVALID, what + " is not a shared memory object");
    }
    Path parent = p.normalize().getParent();
    if (parent == null || !parent.equals(root)) {
      throw new SharedMemoryException(Reason.INVALID, what + " resolves outside the shared memory directory");
    }
    return p;
  }

  /** The operating system's reason, without a path. */
  private static String reason(IOException e) {
    String r = e instanceof java.nio.file.FileSystemException fse ? fse.getReason() : null;
    return r == null || r.isBlank() ? "input/output error" : r;
  }
}
