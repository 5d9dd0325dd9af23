package io.mlserve.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a text file line by line as bytes, each line at most {@code maxLineBytes} long (a longer
 * one is refused, naming it, before it is held whole), without decoding what it does not need.
 * A line ends at {@code \n}; a {@code \r} before it is dropped; a UTF-8 byte order mark at the
 * start is skipped. Not thread-safe.
 */
final class LineReader implements AutoCloseable {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private byte[] line = new byte[256];
  private int length;
  private long number;
  private boolean eof;
  private long blankLine; // the first blank line seen, 0 if none

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Reads the next line; false at the end of the file. */
  boolean next() throws IOException {
    length = 0;
    boolean any = false;
    while (true) {
      if (pos == end) {
        if (eof || !fill()) {
          eof = true;
          if (!any) {
            return false;
          }
          break;
        }
      }
      any = true;
      int start = pos;
      while (pos < end && buf[pos] != '\n') {
        pos++;
      }
      append(start, pos - start);
      if (pos < end) {
        pos++; // the newline
        break;
      }
    }
    number++;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (number == 1 && length >= 3 && (line[0] & 0xff) == 0xef && (line[1] & 0xff) == 0xbb
        && (line[2] & 0xff) == 0xbf) {
      System.arraycopy(line, 3, line, 0, length - 3);
      length -= 3;
    }
    return true;
  }

  /**
   * Reads the next line that holds data, passing over blank ones, which may only end the file.
   *
   * @return false at the end of the file
   * @throws BadDatasetException for data after a blank line, naming the blank line
   */
  boolean nextData() throws IOException {
    while (next()) {
      if (isBlank()) {
        if (blankLine == 0) {
          blankLine = number;
        }
        continue;
      }
      if (blankLine != 0) {
        throw new BadDatasetException("line " + blankLine + " is blank; blank lines may only"
            + " end the file");
      }
      return true;
    }
    return false;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }

  private void append(int from, int n) {
    if ((long) length + n > maxLineBytes) {
      throw new BadDatasetException("line " + (number + 1) + " is longer than the limit of "
          + maxLineBytes + " bytes");
    }
    if (length + n > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(length + n, line.length * 2)));
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  /** The current line's bytes, valid until the next call; see {@link #length()}. */
  byte[] bytes() {
    return line;
  }

  int length() {
    return length;
  }

  /** The current line's 1-based number. */
  long number() {
    return number;
  }

  /** Whether the current line holds only spaces and tabs (or nothing). */
  boolean isBlank() {
    for (int i = 0; i < length; i++) {
      if (line[i] != ' ' && line[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
