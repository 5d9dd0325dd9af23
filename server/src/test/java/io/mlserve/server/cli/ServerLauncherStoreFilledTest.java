package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo fills its store (the registrations) beside the server's wiring: when that filling
 * fails, the launcher closes what it opened and throws the filling's own failure, instead of
 * serving a store without the demo's models.
 */
class ServerLauncherStoreFilledTest {
  @Test
  void aFillingThatFailsIsThrownAfterTheServerIsClosed(@TempDir Path store) throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--bind", "127.0.0.1", "--grpc-port", "0",
        "--http-port", "0");
    IllegalStateException failure = new IllegalStateException("registration failed");
    ExitActions exit = new ExitActions();
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> new ServerLauncher(command.options, exit).run(store, null,
            CompletableFuture.failedFuture(failure), null));
    assertSame(failure, thrown);
    exit.runAll(); // the graceful stop was cancelled with the server: nothing left to run
  }
}
