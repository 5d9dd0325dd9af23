package io.mlserve.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
 * separately on one store serialise correctly.
 *
 * <p>All-or-nothing: a section registers, for each change it makes before its commit point, how
 * to undo it ({@link #onFailure}: truncate an appended line, delete a created file; undoing
 * needs no free space). If the outermost section ends with an exception, the undos run, newest
 * first, still under the lock, so a failed mutation leaves no trace. {@link #committed} marks
 * the commit point: what fails after it is not undone. This class is thread-safe.
 */
public final class StoreLock {
  /**
   * One in-JVM lock (and the undos of its section in progress) per store directory; entries are
   * tiny and stores few, so none are evicted.
   */
  private static final ConcurrentMap<Path, Shared> JVM_LOCKS = new ConcurrentHashMap<>();

  /** What every {@code StoreLock} of one store directory shares. */
  private static final class Shared {
    final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock: the undos of the outermost section in progress.
    final List<Undo> undos = new ArrayList<>();
  }

  /** Body of a locked section. */
  @FunctionalInterface
  public interface Action<T> {
    T run() throws IOException;
  }

  /** How to take back one change of a locked section. */
  @FunctionalInterface
  public interface Undo {
    void run() throws IOException;
  }

  private final Path lockFile;
  private final ReentrantLock jvmLock;
  private final List<Undo> undos;

  private StoreLock(Path lockFile, Shared shared) {
    this.lockFile = lockFile;
    this.jvmLock = shared.lock;
    this.undos = shared.undos;
  }

  /** The lock of the store at {@code root}, which must exist. */
  public static StoreLock forRoot(Path root) {
    Objects.requireNonNull(root, "root");
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      throw new StoreException("cannot open the store: " + IoErrors.reason(e), e);
    }
    return new StoreLock(real.resolve(".lock"), JVM_LOCKS.computeIfAbsent(real, k -> new Shared()));
  }

  /**
   * Runs {@code action} holding the lock and returns its result. An {@link IOException} from the
   * action becomes a {@link StoreException} that says why in words (no class names, no paths);
   * unchecked exceptions pass through. Either way, if this is the outermost section, the undos
   * it registered run first.
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
        undos.clear();
        try {
          return action.run();
        } catch (IOException | RuntimeException | Error e) {
          undoAll(e);
          throw e;
        } finally {
          undos.clear();
        }
      }
    } catch (IOException e) {
      throw new StoreException("store operation failed: " + IoErrors.reason(e)
          + " (the change was not made)", e);
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Registers how to take back a change just made in the current section, should the section
   * fail before {@link #committed}. Must be called holding the lock.
   */
  public void onFailure(Undo undo) {
    Objects.requireNonNull(undo, "undo");
    requireHeld();
    undos.add(undo);
  }

  /**
   * Marks the commit point of the current section: its changes stand even if what follows
   * fails (what follows must be idempotent and is finished by the next writer's recovery).
   * Must be called holding the lock.
   */
  public void committed() {
    requireHeld();
    undos.clear();
  }

  private void undoAll(Throwable failure) {
    for (int i = undos.size() - 1; i >= 0; i--) {
      try {
        undos.get(i).run();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private void requireHeld() {
    if (!jvmLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("the store lock is not held");
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
