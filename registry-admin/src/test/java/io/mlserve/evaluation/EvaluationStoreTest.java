package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.FullDisk;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationStoreTest {
  @TempDir
  Path root;

  private final FakeTime time = new FakeTime(Instant.parse("2026-11-29T21:00:00Z"));
  private final FullDisk disk = new FullDisk();

  private ModelStore storeWithVersion() {
    ModelStore store = ModelStore.open(root, disk);
    store.installVersion("m", "2.0.0", store.createTempVersionDir("m"));
    return store;
  }

  private Evaluation next(boolean baseline) {
    time.advance(Duration.ofSeconds(1).toNanos());
    return EvaluationFixtures.regression(time, "m", "alice", baseline);
  }

  @Test
  void savesReadsAndListsNewestFirst() throws Exception {
    ModelStore store = storeWithVersion();
    EvaluationStore evaluations = new EvaluationStore(store);
    Evaluation first = next(true);
    Evaluation second = next(false);
    Evaluation third = next(true);
    evaluations.save(second);
    evaluations.save(first);
    evaluations.save(third);

    Path dir = root.resolve("m/versions/2.0.0/evaluations");
    assertTrue(Files.isRegularFile(dir.resolve(first.id() + ".json")));
    assertTrue(Files.isRegularFile(dir.resolve(first.id() + ".html")));
    assertEquals(first, evaluations.read("m", "2.0.0", first.id()));
    assertEquals(List.of(third, second, first), evaluations.list("m", "2.0.0", 10));
    assertEquals(List.of(third, second), evaluations.list("m", "2.0.0", 2));
    assertTrue(evaluations.report("m", "2.0.0", first.id()).startsWith("<!DOCTYPE html>"));
  }

  @Test
  void aVersionWithoutEvaluationsListsNone() {
    assertEquals(List.of(), new EvaluationStore(storeWithVersion()).list("m", "2.0.0", 5));
  }

  @Test
  void anIdIsWrittenOnceAndReplacedOnlyOnPurpose() {
    EvaluationStore evaluations = new EvaluationStore(storeWithVersion());
    Evaluation e = next(true);
    evaluations.save(e);
    assertTrue(assertThrows(StoreException.class, () -> evaluations.save(e)).getMessage()
        .endsWith("already exists"));
    Evaluation judged = e.withVerdict(EvaluationFixtures.verdict());
    evaluations.replace(judged);
    assertEquals(judged, evaluations.read("m", "2.0.0", e.id()));
    assertTrue(evaluations.report("m", "2.0.0", e.id()).contains("Verdict"));
    assertThrows(NotFoundException.class, () -> evaluations.replace(next(false)));
  }

  @Test
  void missingThingsAreNotFound() {
    EvaluationStore evaluations = new EvaluationStore(storeWithVersion());
    assertThrows(NotFoundException.class, () -> evaluations.read("m", "9.9.9",
        "20261129T210000000Z-00000000"));
    assertEquals("m:2.0.0 has no evaluation '../../x'", assertThrows(NotFoundException.class,
        () -> evaluations.read("m", "2.0.0", "../../x")).getMessage());
    assertThrows(NotFoundException.class, () -> evaluations.read("m", "2.0.0",
        "20261129T210000000Z-00000000"));
    assertThrows(NotFoundException.class, () -> evaluations.save(
        EvaluationFixtures.regression(time, "other", "alice", false)));
    assertThrows(IllegalArgumentException.class, () -> evaluations.list("m", "2.0.0", 0));
  }

  @Test
  void aFullDiskLeavesNoTrace() throws Exception {
    ModelStore store = storeWithVersion();
    EvaluationStore evaluations = new EvaluationStore(store);
    Evaluation e = next(true);
    for (int failAt = 1; failAt <= 4; failAt++) {
      disk.armAt(failAt);
      try {
        evaluations.save(e);
      } catch (StoreException expected) {
        // the disk filled up
      }
      boolean failed = disk.filledUp();
      disk.disarm();
      Path dir = root.resolve("m/versions/2.0.0/evaluations");
      if (failed) {
        assertFalse(Files.exists(dir.resolve(e.id() + ".json")), "fail at " + failAt);
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
          assertEquals(List.of(), s.toList(), "fail at " + failAt);
        }
        assertEquals(List.of(), evaluations.list("m", "2.0.0", 5));
      } else {
        assertEquals(e, evaluations.read("m", "2.0.0", e.id()));
        return;
      }
    }
  }

  @Test
  void symlinkedEvaluationsAreRefused() throws Exception {
    EvaluationStore evaluations = new EvaluationStore(storeWithVersion());
    // a link to another directory inside the store: not followed either
    Path elsewhere = Files.createDirectories(root.resolve("m/elsewhere"));
    Files.createSymbolicLink(root.resolve("m/versions/2.0.0/evaluations"), elsewhere);
    assertEquals("the evaluations of m:2.0.0 are a symlink; refusing them",
        assertThrows(StoreException.class, () -> evaluations.list("m", "2.0.0", 5))
            .getMessage());
  }
}
