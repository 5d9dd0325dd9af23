package io.mlserve.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * Says what went wrong in an {@link IOException} in words an operator reads ("no space left on
 * device"), without the exception's class name or the server's paths. Stateless.
 */
public final class IoErrors {
  private IoErrors() {}

  /** A short, lower-case reason for {@code e}. */
  public static String reason(IOException e) {
    String msg = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "a file the store needs is missing";
    }
    if (msg == null || msg.isBlank()) {
      return "input/output error";
    }
    String lower = msg.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left")) {
      return "no space left on device";
    }
    if (lower.contains("quota")) {
      return "disk quota exceeded";
    }
    if (lower.contains("read-only file system")) {
      return "read-only file system";
    }
    // FileSystemException reasons are the OS's words; other messages may carry a path.
    return e instanceof FileSystemException ? lower : "input/output error";
  }
}
