package io.mlserve.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file primitives over one {@link FileOps}: write-temp-fsync-rename for files, atomic
 * replacement of symlinks, directory fsync so renames are durable. A reader sees either the old
 * or the new content, never a torn one, and a failed write leaves no temp file behind. Deletions
 * (which free space, and undo failed mutations) are static. Thread-safe (callers serialise
 * writers of one path).
 */
public final class AtomicFiles {
  private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);

  private final FileOps ops;

  public AtomicFiles(FileOps ops) {
    this.ops = Objects.requireNonNull(ops, "ops");
  }

  /** The file operations these primitives use. */
  public FileOps ops() {
    return ops;
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically: writes a temp file beside it, fsyncs
   * it, renames it over {@code target}, and fsyncs the directory. The rename is the commit: a
   * failure before it leaves {@code target} as it was; once it is done, the call succeeds (see
   * {@link #syncAfterCommit}).
   */
  public void write(Path target, byte[] bytes) throws IOException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(bytes, "bytes");
    Path tmp = tempSibling(target);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ops.write(ch, ByteBuffer.wrap(bytes), 0);
        ops.force(ch);
      }
      ops.move(tmp, target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    syncAfterCommit(target.toAbsolutePath().getParent());
  }

  /** Creates {@code target} (which must not exist) with {@code in}'s bytes, fsynced. */
  public void copyNew(InputStream in, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      ops.copy(in, out);
    }
    fsync(target);
  }

  /**
   * Points the symlink {@code link} at {@code target} (stored as given, so a relative target
   * stays relative), replacing any existing link atomically: a temp link is created beside it
   * and renamed over it, so {@code link} resolves at every instant. As {@link #write}, the
   * rename is the commit.
   */
  public void replaceSymlink(Path link, Path target) throws IOException {
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(target, "target");
    Path tmp = tempSibling(link);
    try {
      ops.createSymbolicLink(tmp, target);
      ops.move(tmp, link);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    syncAfterCommit(link.toAbsolutePath().getParent());
  }

  /**
   * Fsyncs a directory after a rename that committed a change. The change is made and visible,
   * so it is not reported as failed if the sync fails (an I/O error on a dying disk): that is
   * logged, and the next fsync of the directory (every later change makes one) persists it.
   */
  public void syncAfterCommit(Path dir) {
    try {
      fsyncDirectory(dir);
    } catch (IOException e) {
      log.warn("a change in {} is made, but syncing the directory failed: {}", dir.getFileName(),
          IoErrors.reason(e));
    }
  }

  /** Forces a file's content to disk. */
  public void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ops.force(ch);
    }
  }

  /**
   * Forces a directory's entries (creations, renames) to disk. A no-op where the platform cannot
   * open directories (Windows), which is the best that can be done there.
   */
  public void fsyncDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      if (Files.isDirectory(dir) && !System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
      return;
    }
    try (ch) {
      ops.force(ch);
    }
  }

  /** Creates a directory and its missing parents. */
  public void createDirectories(Path dir) throws IOException {
    ops.createDirectories(dir);
  }

  /** Renames atomically (see {@link FileOps#move}). */
  public void move(Path from, Path to) throws IOException {
    ops.move(from, to);
  }

  /** Deletes a file or a directory tree; absent is fine. Symlinks are deleted, not followed. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Deletes {@code dir} if it exists and is empty; returns whether it is gone. */
  public static boolean deleteIfEmptyDirectory(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
      return true;
    } catch (DirectoryNotEmptyException e) {
      return false;
    }
  }

  /** A hidden, unique name in the same directory, so the final rename stays on one filesystem. */
  static Path tempSibling(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
  }

  /** Deletes {@code p} if it exists, ignoring failures (a hidden temp name is harmless). */
  public static void deleteQuietly(Path p) {
    try {
      AtomicFiles.deleteRecursively(p);
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException ignored) {
      // best effort: the temp name is hidden and unique, a later cleanup removes it
    }
  }
}
