package io.mlserve.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {
  static final String ROW4 = "{\"input\": [1, 2, 3, 4], \"label\": 1}\n";
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  @TempDir Path tmp;
  EventLog events;
  ModelRegistry registry;
  DatasetStore datasets;

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    events = EventLog.open(root);
    registry = new ModelRegistry(ModelStore.open(root), events, ArtifactValidator.none(),
        Clock.fixed(NOW, ZoneOffset.UTC));
    register("1.0.0", 4);
    datasets = new DatasetStore(registry, Clock.fixed(NOW, ZoneOffset.UTC),
        DatasetLimits.defaults());
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  void register(String version, long width) throws Exception {
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    registry.register(new RegisterRequest("m", version, artifact, "torchscript",
        new Signature(List.of(Rows.spec("x", "FP32", -1, width)),
            List.of(Rows.spec("y", "FP32", -1, 1))), null, null, null, null, null, null,
        "alice"));
  }

  DatasetInfo add(String name, String text) throws Exception {
    return datasets.add("m", name, DatasetFormat.JSONL,
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "held out", "bob");
  }

  Path datasetsDir() {
    return tmp.resolve("store/m/datasets");
  }

  @Test
  void addsRecordsListsAndReadsBack() throws Exception {
    DatasetInfo info = add("test", ROW4 + ROW4.replace("1}", "2.5}"));
    assertEquals("test", info.name());
    assertEquals("jsonl", info.format());
    assertEquals(2, info.rows());
    assertEquals(1, info.labelWidth());
    assertEquals(DatasetInfo.REAL, info.labelKind());
    assertEquals("1.0.0", info.checkedAgainst());
    assertEquals("bob", info.actor());
    assertEquals("held out", info.description());
    assertEquals(NOW.toString(), info.createdAt());
    assertEquals(List.of(new DatasetInput("x", "FP32", List.of(4L))), info.inputs());
    Path dir = datasetsDir().resolve("test");
    assertTrue(Files.isRegularFile(dir.resolve("data.jsonl")));
    assertEquals(info, datasets.get("m", "test"));
    assertEquals(List.of(info), datasets.list("m"));
    assertEquals(64, info.sha256().length());
    try (DatasetSource src = datasets.open("m", "test")) {
      assertEquals(2, src.totalRows());
      DatasetBatch b = src.next(10);
      assertEquals(2, b.rows());
      assertEquals(null, src.next(10));
    }
    Event e = events.readSince(0).get(events.readSince(0).size() - 1);
    assertEquals(DatasetEvents.ADDED, e.eventType());
    assertEquals("m", e.modelName());
    assertEquals("test", e.field("dataset").asText());
    assertEquals(info.sha256(), e.field("sha256").asText());
    assertEquals(2, e.field("rows").asLong());
  }

  @Test
  void anExistingNameIsRefusedAndTheFirstKept() throws Exception {
    DatasetInfo first = add("test", ROW4);
    long seq = events.lastSeq();
    DatasetExistsException e = assertThrows(DatasetExistsException.class,
        () -> add("test", ROW4 + ROW4));
    assertEquals("dataset 'test' of model 'm' already exists; datasets are immutable: add it"
        + " under another name", e.getMessage());
    assertEquals(first, datasets.get("m", "test"));
    assertEquals(seq, events.lastSeq());
    assertEquals(List.of(), tempDirs());
  }

  @Test
  void aBadFileLeavesNothingBehind() throws Exception {
    long seq = events.lastSeq();
    BadDatasetException e = assertThrows(BadDatasetException.class,
        () -> add("test", ROW4 + "{\"input\": [1, 2, 3]}\n"));
    assertEquals("line 2: wrong length 3 for input 'x' of shape [4]", e.getMessage());
    assertEquals(List.of(), datasets.list("m"));
    assertEquals(List.of(), tempDirs());
    assertEquals(seq, events.lastSeq());
    assertEquals("the file holds no rows",
        assertThrows(BadDatasetException.class, () -> add("empty", "\n")).getMessage());
  }

  @Test
  void aFileOverTheLimitIsRefusedAndRemoved() throws Exception {
    DatasetStore small = new DatasetStore(registry, Clock.fixed(NOW, ZoneOffset.UTC),
        DatasetLimits.defaults().withMaxBytes(40));
    DatasetTooLargeException e = assertThrows(DatasetTooLargeException.class,
        () -> small.add("m", "big", DatasetFormat.JSONL,
            new ByteArrayInputStream((ROW4 + ROW4).getBytes(StandardCharsets.UTF_8)), null,
            "bob"));
    assertEquals("dataset file larger than the limit of 40 bytes", e.getMessage());
    assertEquals(List.of(), tempDirs());
  }

  @Test
  void rowsAreCheckedAgainstProductionElseTheLatestVersion() throws Exception {
    register("1.1.0", 3); // latest: 3 values a row
    String row3 = "{\"input\": [1, 2, 3], \"label\": 1}\n";
    assertEquals("1.1.0", add("latest", row3).checkedAgainst());
    registry.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null);
    assertEquals("line 1: wrong length 3 for input 'x' of shape [4]",
        assertThrows(BadDatasetException.class, () -> add("prod", row3)).getMessage());
    assertEquals("1.0.0", add("prod", ROW4).checkedAgainst());
  }

  @Test
  void refusesUnknownModelsModelsWithoutVersionsAndBadNames() throws Exception {
    assertEquals("model 'nope' not found", assertThrows(NotFoundException.class,
        () -> datasets.begin("nope", "t", DatasetFormat.JSONL, null, "bob")).getMessage());
    Files.createDirectories(tmp.resolve("store/empty/versions"));
    assertEquals("model 'empty' has no versions; a dataset is checked against a version's input"
        + " signature, so register one first", assertThrows(InvalidRequestException.class,
            () -> datasets.begin("empty", "t", DatasetFormat.JSONL, null, "bob")).getMessage());
    assertTrue(assertThrows(InvalidRequestException.class, () -> datasets.begin("m", "../x",
        DatasetFormat.JSONL, null, "bob")).getMessage().startsWith("invalid dataset name"));
    assertEquals("model 'm' has no dataset 'zz'",
        assertThrows(NotFoundException.class, () -> datasets.get("m", "zz")).getMessage());
  }

  @Test
  void anAbandonedUploadIsRemovedAndStaleTempDirsAreSwept() throws Exception {
    DatasetUpload up = datasets.begin("m", "t", DatasetFormat.JSONL, null, "bob");
    up.write(ROW4.getBytes(StandardCharsets.UTF_8), 0, 10);
    assertEquals(1, tempDirs().size());
    up.abort();
    assertEquals(List.of(), tempDirs());
    // a writer killed mid-upload: its temp dir stays hidden, and is swept once an hour old
    Path fresh = Files.createDirectories(datasetsDir().resolve(".tmp-fresh"));
    Path stale = Files.createDirectories(datasetsDir().resolve(".tmp-stale"));
    Files.writeString(stale.resolve("data.jsonl"), "{\"inp");
    Files.setLastModifiedTime(stale, FileTime.from(NOW.minusSeconds(3601)));
    Files.setLastModifiedTime(fresh, FileTime.from(NOW.minusSeconds(60)));
    assertEquals(List.of(), datasets.list("m"));
    new DatasetStore(registry, Clock.fixed(NOW, ZoneOffset.UTC), DatasetLimits.defaults());
    assertEquals(List.of(fresh), tempDirs());
  }

  @Test
  void anAdditionKilledAfterItsEventIsFinishedByRecovery() throws Exception {
    // what a writer killed between the event and the rename leaves: the assembled temp
    // directory and a durable event
    DatasetInfo info = add("test", ROW4);
    Path done = datasetsDir().resolve("test");
    Path assembled = datasetsDir().resolve(".tmp-" + "killed");
    Files.move(done, assembled);
    assertEquals(List.of(), datasets.list("m"));
    Path root = tmp.resolve("store");
    try (EventLog again = EventLog.open(root)) {
      new ModelRegistry(ModelStore.open(root), again, ArtifactValidator.none(), Clock.systemUTC());
    }
    assertEquals(List.of(info), datasets.list("m"));
    assertEquals(List.of(), tempDirs());
  }

  List<Path> tempDirs() throws Exception {
    if (!Files.isDirectory(datasetsDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(datasetsDir())) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }

  @Test
  void theTempDirLivesInTheStoreNotElsewhere() throws Exception {
    try (DatasetUpload up = datasets.begin("m", "t", DatasetFormat.JSONL, null, "bob")) {
      assertEquals(1, tempDirs().size());
      assertFalse(datasets.list("m").stream().anyMatch(d -> d.name().equals("t")));
    }
    assertEquals(List.of(), tempDirs());
  }
}
