package io.mlserve.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the class-data sharing (AppCDS) archive {@code bin/mlserve} starts with: a training JVM
 * ({@link ClassDataTraining}: a demo start, one answer per transport, a graceful stop) runs with
 * {@code -XX:ArchiveClassesAtExit} on exactly the classpath the launcher uses, the archive it
 * leaves is checked by a JVM that must map it ({@code -Xshare:on}), and only then renamed into
 * place. The JVM writes the archive in place as it dumps, and a cut-off archive crashes the JVM
 * that maps it (SIGBUS, seen with JDK 17), so a half-written one must never carry the final name.
 *
 * <p>Never fails the build: whatever goes wrong (a JDK without a base CDS archive, a port taken,
 * a training that times out) is reported in one line, no archive is left, and the launcher starts
 * without one (about a second slower). Run by the server module's {@code package} phase:
 * {@code ClassDataArchive ARCHIVE CLASSPATH MLSERVE_HOME}. Not thread-safe; used once from
 * {@code main}.
 */
public final class ClassDataArchive {
  /** How long the training run may take (its demo start is ~5 s on two cores). */
  static final long TRAINING_LIMIT_SECONDS = 180;
  /** Flags every JVM using or making an archive gets: no CDS warnings on the console. */
  public static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

  private final Path archive;
  private final String classpath;
  private final Path home;
  private final Path java;

  ClassDataArchive(Path archive, String classpath, Path home, Path java) {
    this.archive = archive.toAbsolutePath();
    this.classpath = classpath;
    this.home = home.toAbsolutePath();
    this.java = java;
  }

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: ClassDataArchive ARCHIVE CLASSPATH MLSERVE_HOME");
      return;
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    System.out.println(new ClassDataArchive(Path.of(args[0]), args[1], Path.of(args[2]), java)
        .make());
  }

  /** Makes the archive; returns the line that says what happened. */
  String make() {
    Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Path log = archive.resolveSibling(archive.getFileName() + ".log");
    try {
      Files.deleteIfExists(archive); // made from the jars this build replaces
      Files.deleteIfExists(log);
      String failed = run(trainingCommand(tmp), log, TRAINING_LIMIT_SECONDS);
      if (failed == null && !Files.isRegularFile(tmp)) {
        failed = "the training JVM wrote no archive";
      }
      if (failed == null) {
        failed = run(checkCommand(tmp), log, 60);
      }
      if (failed != null) {
        return "mlserve: no class-data archive (" + failed + "; see " + log
            + "); bin/mlserve starts without one, about a second slower";
      }
      Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return "mlserve: class-data archive " + archive + " (" + (Files.size(archive) >> 20)
          + " MiB), used by bin/mlserve";
    } catch (IOException e) {
      return "mlserve: no class-data archive (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "mlserve: no class-data archive (interrupted)";
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a stray temporary file is never mapped: only the final name is
      }
    }
  }

  List<String> trainingCommand(Path tmp) {
    List<String> cmd = new ArrayList<>(List.of(java.toString(),
        "-XX:ArchiveClassesAtExit=" + tmp));
    cmd.addAll(QUIET);
    cmd.addAll(List.of("-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
        "-Dmlserve.home=" + home, "-cp", classpath, ClassDataTraining.class.getName()));
    return cmd;
  }

  /** A JVM that fails to start unless it can map {@code tmp} on this classpath. */
  List<String> checkCommand(Path tmp) {
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xshare:on",
        "-XX:SharedArchiveFile=" + tmp));
    cmd.addAll(QUIET);
    cmd.addAll(List.of("-cp", classpath, Main.class.getName(), "--version"));
    return cmd;
  }

  /** Runs {@code cmd} with its output appended to {@code log}; null when it exits 0. */
  private static String run(List<String> cmd, Path log, long limitSeconds)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return cmd.get(cmd.size() - 1) + " ran past " + limitSeconds + " s";
    }
    return p.exitValue() == 0 ? null : "exit code " + p.exitValue() + " from "
        + (cmd.contains("-Xshare:on") ? "the check that maps it" : "the training run");
  }
}
