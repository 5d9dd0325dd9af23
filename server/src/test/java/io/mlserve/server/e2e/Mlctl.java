package io.mlserve.server.e2e;

import io.mlserve.server.testing.DemoModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/mlctl} as a user does: a separate process on the packaged server's classpath
 * (never a prebuilt {@code MLCTL_CLASSPATH}), bounded to 120 s. Stateless; thread-safe.
 */
final class Mlctl {
  private Mlctl() {}

  /** Exit code, stdout, and stderr (logs and build notes stay out of JSON on stdout). */
  record Result(int code, String out, String err) {
    /** Both streams, for checks on messages that may go to either. */
    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Runs {@code bin/mlctl args}; stderr is kept in a file under {@code tmp}. */
  static Result run(Path tmp, String... args) throws Exception {
    Path root = DemoModel.repoRoot();
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().add(root.resolve("bin/mlctl").toString());
    pb.command().addAll(List.of(args));
    pb.environment().remove("MLCTL_CLASSPATH");
    Path err = Files.createTempFile(tmp, "mlctl", ".err");
    Process p = pb.directory(root.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/mlctl did not finish: " + out + Files.readString(err));
    }
    return new Result(p.exitValue(), out, Files.readString(err));
  }
}
