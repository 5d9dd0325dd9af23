package io.mlserve.registry.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one-line reason mlctl prints for a failed command: the server's status and message as it
 * sent them; for a server that cannot be reached, which address and why; for a local file, what
 * is wrong with which file. Never a Java class name. Stateless.
 */
final class ErrorMessages {
  private ErrorMessages() {}

  /**
   * @param server the {@code --server} address, or null when mlctl works on a store directly
   */
  static String of(Throwable ex, String server) {
    String text;
    if (ex instanceof StatusRuntimeException sre) {
      text = status(sre.getStatus(), server);
    } else if (ex instanceof FileSystemException fse) {
      text = file(fse);
    } else if (ex.getMessage() != null && !ex.getMessage().isBlank()) {
      text = ex.getMessage();
    } else {
      text = "unexpected error" + (ex.getCause() != null ? ": " + of(ex.getCause(), server) : "");
    }
    return text.replace('\n', ' ');
  }

  private static String status(Status s, String server) {
    if (s.getCode() == Status.Code.UNAVAILABLE && server != null) {
      String why = connectFailure(s.getCause());
      if (why != null) {
        return "cannot reach the admin server at " + server + ": " + why;
      }
      return "the admin server at " + server + " is unavailable"
          + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }
    String d = s.getDescription();
    return s.getCode() + (d == null ? "" : ": " + d);
  }

  /** Why a connection failed, from the transport's exception chain; null if it is not that. */
  private static String connectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UnknownHostException) {
        return "unknown host" + (c.getMessage() == null ? "" : " " + c.getMessage());
      }
      if (c instanceof ConnectException) {
        // NIO: "Connection refused: /host:port"; epoll: "finishConnect(..) failed with
        // error(-111): Connection refused". Keep the reason, drop the call and the address.
        String m = c.getMessage() == null ? "connection failed"
            : c.getMessage().replaceFirst("^.*error\\(-?\\d+\\):\\s*", "");
        int colon = m.indexOf(':');
        m = (colon > 0 ? m.substring(0, colon) : m).strip();
        return m.isEmpty() ? "connection failed"
            : Character.toLowerCase(m.charAt(0)) + m.substring(1);
      }
    }
    return null;
  }

  private static String file(FileSystemException e) {
    String f = e.getFile();
    if (e instanceof NoSuchFileException) {
      return "file not found: " + f;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + f;
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory: " + f;
    }
    String why = e.getReason();
    return (f == null ? "file error" : f) + ": "
        + (why == null ? "cannot be read or written" : why);
  }
}
