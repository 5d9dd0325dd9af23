package io.mlserve.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file operations by which the store changes the disk: every write of bytes, every fsync,
 * rename, symlink and directory creation of a mutation goes through one instance, so a test can
 * inject a disk that fills up at any chosen write (and check that the failed mutation leaves no
 * trace). Deletions and truncations are not here: they free space and are how a failed mutation
 * is undone. {@link #DEFAULT} is the real filesystem. Implementations must be thread-safe.
 */
public interface FileOps {
  /** The real filesystem. */
  FileOps DEFAULT = new FileOps() {};

  /** Writes all of {@code buf} at {@code position}. */
  default void write(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  /** Copies {@code in} to {@code out} to its end. */
  default void copy(InputStream in, OutputStream out) throws IOException {
    in.transferTo(out);
  }

  /** Forces a file's (or, opened for reading, a directory's) changes to disk. */
  default void force(FileChannel ch) throws IOException {
    ch.force(true);
  }

  /** Renames {@code from} to {@code to} atomically, replacing a file or symlink there. */
  default void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Creates a symlink {@code link} holding {@code target}. */
  default void createSymbolicLink(Path link, Path target) throws IOException {
    Files.createSymbolicLink(link, target);
  }

  /** Creates a directory and its missing parents. */
  default void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }
}
