package io.mlserve.server.batch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Optional;

/**
 * Lowers the CPU priority of the calling thread to the lowest the operating system has, for work
 * that must yield to serving (a shadow's worker): on Linux, nice 19 through
 * {@code setpriority(PRIO_PROCESS, 0, 19)}, which under NPTL applies to the calling thread only.
 * The scheduler then gives such a thread about 1.5% of a contended core against a nice-0 thread,
 * and all of an idle one. Java thread priorities alone do nothing here: HotSpot on Linux ignores
 * them unless run as root with {@code -XX:ThreadPriorityPolicy=1}.
 *
 * <p>An unprivileged process may always raise its own nice value, so this needs no permission.
 * Elsewhere (another OS, JNA's native part unavailable) the thread keeps its priority and the
 * reason is returned for the caller to log. Stateless; thread-safe.
 */
public final class BackgroundPriority {
  /** The nice value a background thread gets on Linux. */
  public static final int NICE = 19;
  private static final int PRIO_PROCESS = 0;

  private BackgroundPriority() {}

  /** The C library's {@code setpriority}; JNA maps it on first use. */
  private interface CLib extends Library {
    int setpriority(int which, int who, int prio) throws LastErrorException;
  }

  /** Loaded on first use only, so a server without shadows never loads JNA's native part. */
  private static final class Holder {
    static final CLib C = Native.load("c", CLib.class);
  }

  /**
   * Lowers the calling thread's priority (and sets its Java priority to the minimum).
   *
   * @return empty when lowered, else why not (for a log line)
   */
  public static Optional<String> applyToCurrentThread() {
    Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
    if (!Platform.isLinux()) {
      return Optional.of("background priority is only applied on Linux");
    }
    try {
      Holder.C.setpriority(PRIO_PROCESS, 0, NICE);
      return Optional.empty();
    } catch (LastErrorException e) {
      return Optional.of("setpriority failed (errno " + e.getErrorCode() + ")");
    } catch (LinkageError e) {
      return Optional.of("the native call is unavailable: " + e.getMessage());
    }
  }
}
