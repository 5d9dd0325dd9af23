package io.mlserve.registry.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shows how far a long command is on stderr: on a terminal, one bar redrawn in place; otherwise
 * (a log, a pipe) a line at every 10 % step, so logs stay short. Not thread-safe.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;
  private final boolean terminal;
  private long lastShown = -1;
  private boolean drawn;

  ProgressBar(PrintStream err, String label, boolean terminal) {
    this.err = err;
    this.label = label;
    this.terminal = terminal;
  }

  /** Whether this process's stderr is a terminal (Linux: fd 2 is a tty; else: a console). */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return System.console() != null;
    }
  }

  void update(long done, long total) {
    long percent = total <= 0 ? 0 : Math.min(100, done * 100 / total);
    if (terminal) {
      if (percent == lastShown) {
        return;
      }
      int filled = (int) (percent * WIDTH / 100);
      err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
          + percent + "% " + done + "/" + total + " rows");
      err.flush();
      drawn = true;
    } else {
      long step = percent / 10 * 10;
      if (step == lastShown / 10 * 10 && lastShown >= 0) {
        return;
      }
      err.println(label + ": " + done + " of " + total + " rows (" + step + "%)");
    }
    lastShown = percent;
  }

  /** Ends the bar's line. */
  void finish() {
    if (drawn) {
      err.println();
      drawn = false;
    }
  }
}
