package io.mlserve.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writers' lock of one store: a {@link ReentrantLock} for threads of this JVM plus an
 * exclusive {@link FileLock} on {@code <store>/.lock} for other processes, held for the whole
 * of each mutation. Reentrant: nested sections on one thread take the file lock once.
 *
 * <p>Why the in-JVM part is shared per store directory: the OS lock belongs to the process, and
 * the JDK throws {@link java.nio.channels.OverlappingFileLockException} when two channels of one
 * JVM lock the same file. So every {@code StoreLock} for the same (real) directory uses the same
 * {@code ReentrantLock}, which makes {@link ModelStore} and {@link EventLog} instances opened
 * separately on one store serialise correctly. This class is thread-safe.
 */
public final class StoreLock {
  /** One in-JVM lock per store directory; entries are tiny and stores few, so none are evicted. */
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  /** Body of a locked section. */
  @FunctionalInterface
  public interface Action<T> {
    T run() throws IOException;
  }

  private final Path lockFile;
  private final ReentrantLock jvmLock;

  private StoreLock(Path lockFile, ReentrantLock jvmLock) {
    this.lockFile = lockFile;
    this.jvmLock = jvmLock;
  }

  /** The lock of the store at {@code root}, which must exist. */
  public static StoreLock forRoot(Path root) {
    Objects.requireNonNull(root, "root");
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      throw new StoreException("cannot open store " + root + ": " + e, e);
    }
    return new StoreLock(real.resolve(".lock"),
        JVM_LOCKS.computeIfAbsent(real, k -> new ReentrantLock()));
  }

  /**
   * Runs {@code action} holding the lock and returns its result. An {@link IOException} from the
   * action becomes a {@link StoreException}; unchecked exceptions pass through.
   */
  public <T> T call(Action<T> action) {
    Objects.requireNonNull(action, "action");
    jvmLock.lock();
    try {
      if (jvmLock.getHoldCount() > 1) {
        return action.run();
      }
      try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        return action.run();
      }
    } catch (IOException e) {
      throw new StoreException("store operation failed: " + e, e);
    } finally {
      jvmLock.unlock();
    }
  }

  /** Whether the calling thread holds this lock. */
  public boolean isHeldByCurrentThread() {
    return jvmLock.isHeldByCurrentThread();
  }

  /** The lock file, {@code <store>/.lock}. */
  public Path lockFile() {
    return lockFile;
  }
}
