package io.mlserve.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.UUID;

/**
 * Crash-safe file primitives: write-temp-fsync-rename for files, atomic replacement of
 * symlinks, directory fsync so renames are durable. A reader sees either the old or the new
 * content, never a torn one. Stateless; thread-safe (callers serialise writers of one path).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code bytes} atomically: writes a temp file beside it, fsyncs
   * it, renames it over {@code target}, and fsyncs the directory.
   */
  public static void write(Path target, byte[] bytes) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(bytes, "bytes");
    Path tmp = tempSibling(target);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(target.toAbsolutePath().getParent());
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new StoreException("cannot write " + target + ": " + e, e);
    }
  }

  /**
   * Points the symlink {@code link} at {@code target} (stored as given, so a relative target
   * stays relative), replacing any existing link atomically: a temp link is created beside it
   * and renamed over it, so {@code link} resolves at every instant.
   */
  public static void replaceSymlink(Path link, Path target) {
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(target, "target");
    Path tmp = tempSibling(link);
    try {
      Files.createSymbolicLink(tmp, target);
      Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(link.toAbsolutePath().getParent());
    } catch (IOException | UnsupportedOperationException e) {
      deleteQuietly(tmp);
      throw new StoreException("cannot point " + link + " at " + target + ": " + e, e);
    }
  }

  /** Forces a file's content to disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Forces a directory's entries (creations, renames) to disk. A no-op where the platform cannot
   * open directories (Windows), which is the best that can be done there.
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (Files.isDirectory(dir) && !System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
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
  public static boolean deleteIfEmptyDirectory(Path dir) {
    try {
      Files.deleteIfExists(dir);
      return true;
    } catch (DirectoryNotEmptyException e) {
      return false;
    } catch (IOException e) {
      throw new StoreException("cannot delete " + dir + ": " + e, e);
    }
  }

  /** A hidden, unique name in the same directory, so the final rename stays on one filesystem. */
  static Path tempSibling(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException ignored) {
      // best effort: the temp name is hidden and unique, a later cleanup removes it
    }
  }
}
