package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mlserve.server.testing.DemoModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/mlserve} run as a separate process, exactly as the README runs it, with its stdout
 * and stderr merged and collected line by line by a reader thread. Waits are bounded and wait on
 * the line or the exit that matters, never on a fixed time. This class is thread-safe.
 */
final class LauncherProcess implements AutoCloseable {
  /** Generous: a loaded machine may take long to start a JVM and load the model. */
  static final long START_SECONDS = 180;
  /** The line the server prints once it serves; groups 1 and 2 are the gRPC and HTTP ports. */
  static final Pattern READY =
      Pattern.compile("^mlserve: ready grpc_port=(\\d+) http_port=(\\d+)$");

  private final Process process;
  private final Thread reader;
  private final List<String> lines = new ArrayList<>(); // @GuardedBy("lines")
  private boolean ended; // @GuardedBy("lines"): the output reached end of stream

  private LauncherProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "launcher-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code bin/mlserve args...} in the repository root, with {@code env} added to this
   * JVM's environment.
   */
  static LauncherProcess start(Map<String, String> env, String... args) throws IOException {
    return startWrapped(List.of(), env, args);
  }

  /**
   * As {@link #start}, with the server JVM's temporary directory under {@code tmp} (a test's
   * {@code @TempDir}), so nothing it unpacks outlives the test.
   */
  static LauncherProcess startInTmp(Path tmp, String... args) throws IOException {
    Path jvmTmp = Files.createDirectories(jvmTmp(tmp));
    return start(Map.of("MLSERVE_JAVA_OPTS", "-Djava.io.tmpdir=" + jvmTmp), args);
  }

  /** The server JVM's {@code java.io.tmpdir} under a test's {@code tmp} ({@link #startInTmp}). */
  static Path jvmTmp(Path tmp) {
    return tmp.resolve("jvm-tmp");
  }

  /** Waits up to {@link #START_SECONDS} for the {@link #READY} line; groups 1, 2: the ports. */
  Matcher awaitReady() throws InterruptedException {
    return awaitLine(READY, START_SECONDS, TimeUnit.SECONDS);
  }

  /** As {@link #start}, run through {@code wrapper} (e.g. a command that changes the user). */
  static LauncherProcess startWrapped(List<String> wrapper, Map<String, String> env,
      String... args) throws IOException {
    Path root = DemoModel.repoRoot();
    List<String> command = new ArrayList<>(wrapper);
    command.add(root.resolve("bin/mlserve").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    return new LauncherProcess(pb.start());
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException ignored) {
      // the process ended
    } finally {
      synchronized (lines) {
        ended = true;
        lines.notifyAll();
      }
    }
  }

  /** Every line so far. */
  List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Waits until a line matches {@code pattern} (from the start of the output), and returns the
   * match; fails with the output when the process ends first or the time runs out.
   */
  Matcher awaitLine(Pattern pattern, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = pattern.matcher(lines.get(seen));
          if (m.matches()) {
            return m;
          }
        }
        if (ended) {
          fail("the process ended without a line matching " + pattern + ": " + lines);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("no line matching " + pattern + " within " + timeout + " " + unit + ": " + lines);
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /**
   * Waits for the process to exit and for its output to be read to the end; returns the exit
   * code.
   */
  int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
    assertTrue(process.waitFor(timeout, unit),
        () -> "still running after " + timeout + " " + unit + ": " + output());
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertTrue(!reader.isAlive(), "output not closed after the exit");
    return process.exitValue();
  }

  /** SIGTERM, as Ctrl-C or {@code docker stop} does; our end of the pipes stays open. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** The process id (bin/mlserve execs the JVM, so it is the server's). */
  long pid() {
    return process.pid();
  }

  /** SIGKILL, as the kernel's OOM killer or a node failure does. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Kills the process if it is still running. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
