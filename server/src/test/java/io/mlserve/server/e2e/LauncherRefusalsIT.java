package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/mlserve} says, and leaves behind, when it cannot start: a port already taken
 * (by another demo, say) and a store that does not exist.
 */
class LauncherRefusalsIT {
  private static final Pattern IN_USE = Pattern.compile(
      "^mlserve: port (\\d+) is in use \\((gRPC|HTTP) on 127\\.0\\.0\\.1\\); pass"
          + " --grpc-port/--http-port \\(0 picks a free port\\)$");

  @TempDir Path tmp;

  private static List<String> demoStores(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("mlserve-demo-"))
          .toList();
    }
  }

  private static void assertNoStackTrace(List<String> out) {
    assertFalse(out.stream().anyMatch(l -> l.contains("Exception") || l.startsWith("\tat ")),
        out::toString);
  }

  @Test
  void aDemoOnABusyPortNamesThePortExitsNonZeroAndRemovesItsTemporaryStore() throws Exception {
    Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      for (String[] ports : List.of(
          new String[] {"--grpc-port", String.valueOf(port), "--http-port", "0"},
          new String[] {"--grpc-port", "0", "--http-port", String.valueOf(port)})) {
        try (LauncherProcess demo = LauncherProcess.start(
            Map.of("MLSERVE_JAVA_OPTS", "-Djava.io.tmpdir=" + jvmTmp), "demo", "--bind",
            "127.0.0.1", ports[0], ports[1], ports[2], ports[3])) {
          int exit = demo.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS);
          List<String> out = demo.output();
          assertEquals(1, exit, out::toString);
          var said = demo.awaitLine(IN_USE, 1, TimeUnit.SECONDS);
          assertEquals(String.valueOf(port), said.group(1));
          assertEquals(ports[1].equals("0") ? "HTTP" : "gRPC", said.group(2));
          assertNoStackTrace(out);
          assertEquals(List.of(), demoStores(jvmTmp), out::toString);
        }
      }
    }
  }

  @Test
  void aStoreGivenByTheUserIsKeptWhenTheDemoCannotStart() throws Exception {
    Path store = tmp.resolve("my-store");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        LauncherProcess demo = LauncherProcess.start(Map.of(), "demo", "--bind", "127.0.0.1",
            "--store", store.toString(), "--grpc-port", String.valueOf(taken.getLocalPort()),
            "--http-port", "0")) {
      assertEquals(1, demo.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS),
          demo.output()::toString);
      demo.awaitLine(IN_USE, 1, TimeUnit.SECONDS);
      assertTrue(Files.isDirectory(store.resolve("curve_forecaster/versions/1.0.0")),
          demo.output()::toString);
    }
    // Run again on the same directory (as the README's `bin/mlserve demo --store models` twice):
    // the store the first run made is served as it is, not refused as "not empty".
    try (LauncherProcess again = LauncherProcess.start(Map.of(), "demo", "--bind", "127.0.0.1",
        "--store", store.toString(), "--grpc-port", "0", "--http-port", "0")) {
      again.awaitLine(Pattern.compile("^mlserve: ready .*"), LauncherProcess.START_SECONDS,
          TimeUnit.SECONDS);
      assertTrue(again.output().stream().anyMatch(l -> l.startsWith("mlserve demo: serving the"
          + " demo store ")), again.output()::toString);
      assertTrue(again.output().stream().anyMatch(l -> l.startsWith("mlserve: serving 2 model(s)")),
          again.output()::toString);
      again.terminate();
      again.awaitExit(60, TimeUnit.SECONDS);
      assertTrue(again.output().contains("mlserve: stopped"), again.output()::toString);
    }
    assertTrue(Files.isDirectory(store.resolve("curve_forecaster/versions/1.0.0")));
  }

  @Test
  void aDemoRefusesANonEmptyDirectoryThatHoldsNoDemoStore() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "mine\n");
    try (LauncherProcess demo = LauncherProcess.start(Map.of(), "demo", "--bind", "127.0.0.1",
        "--store", other.toString(), "--grpc-port", "0", "--http-port", "0")) {
      assertEquals(2, demo.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS),
          demo.output()::toString);
      assertTrue(demo.output().stream().anyMatch(l -> l.contains("is not empty and holds no demo"
          + " store")), demo.output()::toString);
      assertNoStackTrace(demo.output());
    }
    try (Stream<Path> s = Files.list(other)) {
      assertEquals(List.of("notes.txt"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void serveRefusesAStoreThatDoesNotExistAndCreatesNothing() throws Exception {
    Path missing = tmp.resolve("typo");
    try (LauncherProcess serve = LauncherProcess.start(Map.of(), "serve", "--store",
        missing.toString(), "--grpc-port", "0", "--http-port", "0", "--bind", "127.0.0.1")) {
      assertEquals(2, serve.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS),
          serve.output()::toString);
      serve.awaitLine(Pattern.compile("^mlserve serve: store " + Pattern.quote(missing.toString())
          + " does not exist; .*pass --create.*"), 1, TimeUnit.SECONDS);
      assertFalse(Files.exists(missing));
    }
  }

  /**
   * The Docker case: a bind-mounted store owned by the host user, a server running as another
   * uid. Refused up front with what to do, not a stack trace from the store lock.
   */
  @Test
  void serveRefusesAStoreItCannotWriteAndSaysHowToRunAsItsOwner() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("host-owned"));
    List<String> asOtherUser = List.of();
    if ("root".equals(System.getProperty("user.name"))) {
      // root may write anything: run the launcher as another uid, as the image's user would.
      Path setpriv = Path.of("/usr/bin/setpriv");
      Assumptions.assumeTrue(Files.isExecutable(setpriv), "needs setpriv to drop root");
      asOtherUser = List.of(setpriv.toString(), "--reuid", "10001", "--regid", "10001",
          "--clear-groups");
      tmp.toFile().setExecutable(true, false); // let uid 10001 reach the store to be refused
    }
    store.toFile().setWritable(false, false);
    try (LauncherProcess serve = LauncherProcess.startWrapped(asOtherUser, Map.of("HOME", "/"),
        "serve", "--store", store.toString(), "--grpc-port", "0", "--http-port", "0")) {
      assertEquals(2, serve.awaitExit(LauncherProcess.START_SECONDS, TimeUnit.SECONDS),
          serve.output()::toString);
      String said = serve.awaitLine(Pattern.compile("^mlserve serve: cannot write "
          + Pattern.quote(store.toString()) + " \\(running as .*"), 1, TimeUnit.SECONDS).group();
      assertTrue(said.contains("docker run --user \"$(id -u):$(id -g)\""), said);
      assertNoStackTrace(serve.output());
    } finally {
      store.toFile().setWritable(true, true);
    }
  }

  @Test
  void serveCreateStartsAnEmptyStoreAndWarnsThatNothingIsServed() throws Exception {
    Path fresh = tmp.resolve("fresh");
    try (LauncherProcess serve = LauncherProcess.start(Map.of(), "serve", "--store",
        fresh.toString(), "--create", "--grpc-port", "0", "--http-port", "0", "--bind",
        "127.0.0.1")) {
      serve.awaitLine(Pattern.compile("^mlserve: ready .*"), LauncherProcess.START_SECONDS,
          TimeUnit.SECONDS);
      assertTrue(serve.output().stream().anyMatch(l -> l.startsWith("mlserve: WARNING: the store"
          + " has no model with a Production version")), serve.output()::toString);
      assertTrue(Files.isDirectory(fresh));
      serve.terminate();
      serve.awaitExit(60, TimeUnit.SECONDS);
      assertTrue(serve.output().contains("mlserve: stopped"), serve.output()::toString);
    }
  }
}
