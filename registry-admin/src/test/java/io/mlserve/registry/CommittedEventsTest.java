package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Event;
import io.mlserve.store.EventFollower;
import io.mlserve.store.EventLog;
import io.mlserve.store.FileOps;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion writes its event before it moves the stage pointer; a follower of the log must
 * still never hand out the event before the pointer has moved (a server that reconciles on the
 * event reads the pointer). The writer here stalls between the durable event and the pointer
 * move for as long as it takes the follower to deliver the event (bounded at 2 s): without the
 * follower reading under the store lock it delivers in that window and sees the old pointer.
 */
class CommittedEventsTest {
  private static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  @TempDir Path tmp;

  @Test
  void aFollowerSeesTheChangeAnEventAnnounces() throws Exception {
    Path root = tmp.resolve("store");
    CountDownLatch delivered = new CountDownLatch(1);
    AtomicBoolean stall = new AtomicBoolean();
    FileOps stallBeforePointerMove = new FileOps() {
      @Override
      public void createSymbolicLink(Path link, Path target) throws IOException {
        if (stall.get()) {
          try {
            delivered.await(2, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        FileOps.super.createSymbolicLink(link, target);
      }
    };
    ModelStore store = ModelStore.open(root, stallBeforePointerMove);
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (EventLog events = EventLog.open(root)) {
      ModelRegistry registry = new ModelRegistry(store, events, ArtifactValidator.none(),
          Clock.systemUTC());
      registry.register(new RegisterRequest("m", "1.0.0", artifact, "torchscript", SIG, null,
          null, Map.of(), Map.of(), null, null, "alice"));
      ModelStore reader = ModelStore.open(root);
      try (EventFollower follower = EventFollower.start(root, events.lastSeq(), e -> {
        if (e.eventType().equals(Event.PROMOTED)) {
          Optional<String> prod = reader.stageVersion("m", Stage.PRODUCTION);
          seen.add(e.version() + " with production -> " + prod.orElse("none"));
          delivered.countDown();
        }
      }, Duration.ofMillis(1))) {
        stall.set(true);
        registry.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null);
        assertTrue(delivered.await(30, TimeUnit.SECONDS), "the event was never delivered");
      }
    }
    assertEquals(List.of("1.0.0 with production -> 1.0.0"), seen);
  }
}
