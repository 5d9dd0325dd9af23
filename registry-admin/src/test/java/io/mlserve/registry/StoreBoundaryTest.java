package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.experiments.RunStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry at the store's edges: versions and artifacts that resolve outside the store are
 * neither promoted nor cleaned through; concurrent bumps get distinct versions; versions the
 * code cannot bump are refused.
 */
class StoreBoundaryTest {
  private static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  @TempDir Path tmp;
  private Path root;
  private Path artifact;
  private ModelStore store;
  private EventLog events;
  private TestClock clock;
  private ModelRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("store");
    artifact = tmp.resolve("model.pt");
    Files.write(artifact, new byte[1024]);
    store = ModelStore.open(root);
    events = EventLog.open(root);
    clock = new TestClock(Instant.parse("2026-11-29T10:00:00Z"));
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private void register(String version) {
    registry.register(new RegisterRequest("m", version, artifact, "torchscript", SIG, null, null,
        null, null, null, null, "alice"));
  }

  @Test
  void aVersionLinkedOutOfTheStoreIsNeitherPromotedNorServed() throws Exception {
    register("1.0.0");
    Path outside = Files.createDirectories(tmp.resolve("outside/2.0.0"));
    Files.copy(store.versionDir("m", "1.0.0").resolve("model.json"), outside.resolve("model.json"));
    Files.createSymbolicLink(root.resolve("m/versions/2.0.0"), outside);
    assertThrows(NotFoundException.class,
        () -> registry.promote("m", "2.0.0", Stage.PRODUCTION, "alice", null));

    Path secret = Files.writeString(tmp.resolve("outside/secret"), "not yours");
    Path artifactInStore = store.artifactPath("m", "1.0.0");
    Files.delete(artifactInStore);
    Files.createSymbolicLink(artifactInStore, secret);
    StoreException e = assertThrows(StoreException.class,
        () -> registry.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null));
    assertTrue(e.getMessage().contains("resolves outside the store"), e.getMessage());
    assertEquals(List.of(Event.REGISTERED),
        events.readSince(0).stream().map(Event::eventType).toList());
  }

  @Test
  void cleanupRemovesLinksNeverWhatTheyPointAt() throws Exception {
    register("1.0.0");
    register("1.1.0");
    registry.archive("m", "1.0.0", "alice", null);
    registry.archive("m", "1.1.0", "alice", null);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
    // a link out of the store inside an archived version: skipped, reported by check
    Files.createSymbolicLink(root.resolve("m/versions/1.1.0/data"), outside);
    // a stale temp directory that is a link out of the store
    Path tempLink = root.resolve("m/versions/.tmp-crashed");
    Files.createSymbolicLink(tempLink, outside);
    // an archived "version" that is a link out of the store
    Files.createSymbolicLink(root.resolve("m/versions/9.0.0"), outside);
    clock.advance(Duration.ofDays(3650)); // the temp link's mtime is the real now

    CleanupResult r = registry.cleanup("m", false, "alice");

    assertEquals(List.of("m:1.0.0", "m:.tmp-crashed"), r.removed());
    assertEquals("keep me", Files.readString(precious));
    assertEquals(List.of(precious), Files.list(outside).toList());
    assertFalse(Files.exists(root.resolve("m/versions/1.0.0")));
    assertFalse(Files.exists(tempLink, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isSymbolicLink(root.resolve("m/versions/1.1.0/data")));
    assertEquals(2, store.check().size(), store.check().toString());
    assertTrue(Files.isSymbolicLink(root.resolve("m/versions/9.0.0")), "not a version: kept");
  }

  @Test
  void concurrentBumpsGetDistinctVersions() throws Exception {
    register("1.0.0");
    RunStore runs = new RunStore(store, events, clock);
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> done = new ArrayList<>();
    try {
      for (int i = 0; i < writers; i++) {
        done.add(pool.submit(() -> {
          start.await();
          RegisterSpec spec = new RegisterSpec("m", null, "patch", artifact, null, null, null,
              null, null, null, "alice");
          return registry.register(Registrations.resolve(spec, registry, runs)).version();
        }));
      }
      start.countDown();
      List<String> versions = new ArrayList<>();
      for (Future<String> f : done) {
        versions.add(f.get(60, TimeUnit.SECONDS));
      }
      assertEquals(writers, versions.stream().distinct().count(), versions.toString());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of("1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7",
        "1.0.8"), store.versions("m"));
    for (String v : store.versions("m")) {
      assertEquals(v, store.manifest("m", v).version());
    }
    StoreInvariants.check(root);
  }

  @Test
  void aVersionTooLargeToBumpIsRefused() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> register("99999999999999999999.0.0"));
    assertTrue(e.getMessage().contains("at most 2147483647"), e.getMessage());
    assertFalse(Files.exists(root.resolve("m")));
  }

  @Test
  void registrationWithoutARunWritesRunIdNull() throws Exception {
    register("1.0.0");
    registry.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null);
    String promoted = Files.readAllLines(root.resolve("events.jsonl")).get(1);
    assertTrue(promoted.contains("\"run_id\":null"), promoted);
    assertEquals(Map.of(), events.readSince(0).get(1).attributes());
  }
}
