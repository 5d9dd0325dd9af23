package io.mlserve.server.testing;

import io.mlserve.registry.cli.MlctlMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Runs {@code mlctl --store DIR ...} in this JVM, on the server's test classpath (so the engine
 * validator and output predictor are found through ServiceLoader, as with {@code bin/mlctl}).
 * Stateless; thread-safe.
 */
public final class StoreMlctl {
  private StoreMlctl() {}

  /** Exit code, stdout and stderr. */
  public record Result(int code, String out, String err) {}

  /** Runs mlctl on {@code store} with {@code args}. */
  public static Result run(Path store, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = Stream.concat(Stream.of("--store", store.toString()), Stream.of(args))
        .toArray(String[]::new);
    int code = MlctlMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), all);
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
