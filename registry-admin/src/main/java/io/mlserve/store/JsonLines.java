package io.mlserve.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only JSON-lines files ({@code events.jsonl}, {@code history.jsonl}). A line counts only
 * once its terminating newline is on disk: readers ignore an unterminated last line (a writer
 * that crashed mid-append), the store cuts it off when opened ({@link #repairTail}) and the next
 * append does too before writing. An append made in a locked section is undone (the file
 * truncated back) if the section fails. Stateless; appends to one file must be serialised by the
 * caller (the store lock).
 */
final class JsonLines {
  private static final Logger log = LoggerFactory.getLogger(JsonLines.class);
  private static final int TAIL_CHUNK = 8192;

  private JsonLines() {}

  /** The complete (newline-terminated, non-blank) lines of {@code file}; none if it is absent. */
  static List<String> readCompleteLines(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
        if (!line.isBlank()) {
          lines.add(line);
        }
        start = i + 1;
      }
    }
    return lines;
  }

  /**
   * Appends {@code line} (which must not contain a newline) plus a newline, and fsyncs; a torn
   * last line left by a crash is cut off first. Registers with {@code lock} (which the caller
   * holds) how to undo it: truncate back, or delete the file if this created it.
   *
   * @return the file's size afterwards
   */
  static long append(AtomicFiles files, StoreLock lock, Path file, String line)
      throws IOException {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a JSON line must not contain line breaks");
    }
    boolean created = !Files.exists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long end = cutTornTail(ch, file);
      lock.onFailure(created ? () -> Files.deleteIfExists(file) : () -> truncate(file, end));
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      files.ops().write(ch, ByteBuffer.wrap(bytes), end);
      files.ops().force(ch);
      if (created) {
        files.fsyncDirectory(file.toAbsolutePath().getParent());
      }
      return end + bytes.length;
    }
  }

  /**
   * Cuts an unterminated last line (a write interrupted by a crash or a full disk) off
   * {@code file}, if it has one; absent is fine. Needs no free space.
   */
  static void repairTail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      cutTornTail(ch, file);
    }
  }

  /** Truncates {@code file} to {@code length} and fsyncs it (undoing appends). */
  static void truncate(Path file, long length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(length);
      ch.force(false);
    }
  }

  private static long cutTornTail(FileChannel ch, Path file) throws IOException {
    long end = completeLength(ch);
    if (end != ch.size()) {
      log.warn("{}: dropping {} bytes of an unterminated last line (interrupted write)",
          file.getFileName(), ch.size() - end);
      ch.truncate(end);
      ch.force(false);
    }
    return end;
  }

  /** The length of the file up to and including its last newline (0 if it has none). */
  private static long completeLength(FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer buf = ByteBuffer.allocate(TAIL_CHUNK);
    long chunkEnd = size;
    while (chunkEnd > 0) {
      long chunkStart = Math.max(0, chunkEnd - TAIL_CHUNK);
      buf.clear().limit((int) (chunkEnd - chunkStart));
      long pos = chunkStart;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new IOException("file shrank while reading");
        }
        pos += n;
      }
      for (int i = buf.position() - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return chunkStart + i + 1;
        }
      }
      chunkEnd = chunkStart;
    }
    return 0;
  }
}
