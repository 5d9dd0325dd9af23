package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs mlctl in this JVM and captures what it prints; helpers for mlctl tests. */
final class Mlctl {
  private Mlctl() {}

  /** An mlctl run's exit code, stdout and stderr. */
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MlctlMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** mlctl on the store at {@code store}, as actor "tester". */
  static Result onStore(Path store, String... args) {
    return run(Stream.concat(Stream.of("--store", store.toString(), "--actor", "tester"),
        Stream.of(args)).toArray(String[]::new));
  }

  /**
   * A store at {@code tmp/store} holding model "m" (signature x FP32 [-1,2] to y FP32 [-1,2])
   * with versions 1.2.0 (Production) and 1.3.0, registered and promoted through mlctl.
   */
  static Path storeWithModel(Path tmp) throws IOException {
    Path store = tmp.resolve("store");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path artifact = Files.write(src.resolve("model.pt"), new byte[] {1, 2, 3});
    Files.writeString(src.resolve("model.json"), """
        {"name":"m","version":"0.0.0","format":"torchscript","artifact":"model.pt",
         "signature":{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],
                      "outputs":[{"name":"y","datatype":"FP32","shape":[-1,2]}]}}
        """);
    for (String v : List.of("1.2.0", "1.3.0")) {
      Result r = onStore(store, "register", "--model", "m", "--version", v, "--artifact",
          artifact.toString());
      assertEquals(0, r.code(), r.err());
    }
    Result r = onStore(store, "promote", "--model", "m", "--version", "1.2.0", "--stage",
        "Production");
    assertEquals(0, r.code(), r.err());
    return store;
  }

  /** mlctl with {@code --server} pointing at a loopback server of {@code service} alone. */
  static Result against(BindableService service, String... args) throws Exception {
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(service).build().start();
    try {
      return run(Stream.concat(Stream.of("--server", "127.0.0.1:" + server.getPort()),
          Stream.of(args)).toArray(String[]::new));
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A loopback port that nothing listens on (bound, then released). */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
