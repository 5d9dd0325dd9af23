package io.mlserve.server.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import picocli.CommandLine.Command;

/**
 * Links, on the calling thread, the JDK native methods a start calls first, before libtorch is
 * loaded beside it ({@link EnginePreload}).
 *
 * <p>Why: the JVM links a native method on its first call by looking its symbol up with
 * {@code dlsym}, which takes the C library's loader lock; {@code dlopen} holds that lock while
 * it maps libtorch and runs its static initialisers (~0.5 s). So a thread that calls any native
 * method for the first time during that load waits for all of it: measured on the demo, the
 * main thread stopped for 0.48 s at picocli's first annotation read
 * ({@code ConstantPool.getUTF8At0}) until libtorch was in (docs/benchmarks.md, "Cold start").
 * Calling these methods once before the load starts makes the main thread's later calls plain
 * calls. What is linked here is what the demo's start was seen to link during that window:
 * annotation parsing, the management beans ({@code ConnectionLimits}), the time zone, and the
 * file operations of a store's creation (directories, a locked, forced, positioned file
 * channel, a rename, a symbolic link) on a scratch directory that is removed again.
 *
 * <p>Best effort: a step that fails is skipped (the start is then only as slow as before), and
 * nothing is left behind. Stateless; thread-safe.
 */
final class NativePrelink {
  private NativePrelink() {}

  /**
   * The steps, each run once by {@link #run}; package-private for the test.
   *
   * @param scratch where the file step makes (and removes) its scratch directory
   */
  static List<Step> steps(Path scratch) {
    List<Step> steps = new ArrayList<>();
    // Annotation parsing (picocli reads every @Command/@Option): ConstantPool.getUTF8At0 and
    // getIntAt0 (the int defaults of @Command), Array.getLength (an array-valued member).
    steps.add(() -> Main.class.getAnnotation(Command.class).subcommands());
    // ConnectionLimits' descriptor count: the management beans and the cgroup files' reads.
    steps.add(() -> ((com.sun.management.UnixOperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount());
    steps.add(TimeZone::getDefault);
    steps.add(() -> fileOperations(scratch));
    return steps;
  }

  /** One native-linking call. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Runs every step, the file step in the JVM's temporary directory; returns how many failed (0
   * normally; a failure only costs time).
   */
  static int run() {
    return run(Path.of(System.getProperty("java.io.tmpdir")));
  }

  static int run(Path scratch) {
    int failed = 0;
    for (Step s : steps(scratch)) {
      try {
        s.run();
      } catch (Exception | LinkageError e) {
        failed++;
      }
    }
    return failed;
  }

  /** A store's creation in small: mkdir, a locked channel written, forced, read, renamed, linked. */
  private static void fileOperations(Path scratch) throws IOException {
    Path dir = Files.createTempDirectory(scratch, "mlserve-prelink-");
    try {
      Path file = dir.resolve("f");
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        try (FileLock ignored = ch.lock()) {
          ch.write(ByteBuffer.wrap(new byte[] {1}));
          ch.write(ByteBuffer.wrap(new byte[] {2}), 1);
          ch.read(ByteBuffer.allocate(1), 0);
          ch.force(true);
        }
      }
      file.toFile().length();
      Path moved = Files.move(file, dir.resolve("g"), StandardCopyOption.ATOMIC_MOVE);
      Path link = Files.createSymbolicLink(dir.resolve("l"), moved.getFileName());
      Files.readSymbolicLink(link);
    } finally {
      io.mlserve.store.AtomicFiles.deleteRecursively(dir);
    }
  }
}
