package io.mlserve.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disk that fills up at a chosen operation: once armed at {@code n}, the n-th file operation
 * fails as a full disk makes it fail (a write writes part of its bytes first, so a torn line is
 * left behind), and every later operation that needs space fails too; renames, fsyncs, deletions
 * and truncations after that still work, as they do on a full filesystem. Thread-safe.
 */
public final class FullDisk implements FileOps {
  private static final String ENOSPC = "No space left on device";

  private final AtomicInteger ops = new AtomicInteger();
  private volatile int failAt = Integer.MAX_VALUE;
  private final AtomicBoolean full = new AtomicBoolean();

  /** From now on, the {@code n}-th operation (1-based) fails and the disk is full after it. */
  public void armAt(int n) {
    ops.set(0);
    full.set(false);
    failAt = n;
  }

  /** Frees the disk. */
  public void disarm() {
    failAt = Integer.MAX_VALUE;
    full.set(false);
  }

  /** Whether the armed failure has happened. */
  public boolean filledUp() {
    return full.get();
  }

  /** Counts one operation; true if it must fail for want of space. */
  private boolean noSpace(boolean needsSpace) {
    if (ops.incrementAndGet() == failAt) {
      full.set(true);
      return true;
    }
    return needsSpace && full.get();
  }

  @Override
  public void write(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    if (noSpace(true)) {
      int part = buf.remaining() / 2;
      if (part > 0) {
        ByteBuffer head = buf.duplicate();
        head.limit(head.position() + part);
        ch.write(head, position);
      }
      throw new IOException(ENOSPC);
    }
    FileOps.super.write(ch, buf, position);
  }

  @Override
  public void copy(InputStream in, OutputStream out) throws IOException {
    if (noSpace(true)) {
      out.write(in.readNBytes(100));
      throw new IOException(ENOSPC);
    }
    FileOps.super.copy(in, out);
  }

  @Override
  public void force(FileChannel ch) throws IOException {
    if (noSpace(false)) {
      throw new IOException(ENOSPC);
    }
    FileOps.super.force(ch);
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    if (noSpace(false)) {
      throw new FileSystemException(from.toString(), to.toString(), ENOSPC);
    }
    FileOps.super.move(from, to);
  }

  @Override
  public void createSymbolicLink(Path link, Path target) throws IOException {
    if (noSpace(true)) {
      throw new FileSystemException(link.toString(), null, ENOSPC);
    }
    FileOps.super.createSymbolicLink(link, target);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    if (noSpace(true)) {
      throw new FileSystemException(dir.toString(), null, ENOSPC);
    }
    FileOps.super.createDirectories(dir);
  }
}
