package io.mlserve.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server follows the store's event log: a promotion or rollback written by another writer
 * (as `mlctl --store` would, through its own EventLog and registry) reaches the serving path.
 */
class ReloadFollowsOtherWritersTest {
  private static final String MODEL = "curve_forecaster";

  @TempDir Path dir;

  private static void await(Supplier<String> actual, String expected) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L; // a loaded machine may need long
    while (!expected.equals(actual.get()) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for an asynchronous event; not a correctness sleep
    }
    assertEquals(expected, actual.get());
  }

  @Test
  void promotionAndRollbackFromAnotherWriterAreServed() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      try (EventLog otherLog = EventLog.open(dir)) {
        ModelRegistry other = new ModelRegistry(ModelStore.open(dir), otherLog,
            ArtifactValidator.none(), Clock.systemUTC());
        f.registerDemo("1.1.0", true);
        other.promote(MODEL, "1.1.0", Stage.PRODUCTION, "alice", "ship it");
        await(() -> f.router.defaultVersion(MODEL).version(), "1.1.0");
        other.rollback(MODEL, "alice", "changed my mind");
        await(() -> f.router.defaultVersion(MODEL).version(), "1.0.0");
      }
    }
  }
}
