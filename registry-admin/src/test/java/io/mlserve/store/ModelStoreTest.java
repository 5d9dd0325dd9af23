package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
  @TempDir Path tmp;

  private Path mkVersion(Path root, String model, String version) throws Exception {
    Path dir = Files.createDirectories(root.resolve(model).resolve("versions").resolve(version));
    Manifest m = ManifestCodecTest.sample();
    ManifestCodec.write(new AtomicFiles(FileOps.DEFAULT), dir.resolve("model.json"), new Manifest(model, version, m.format(),
        m.artifact(), m.platform(), m.sha256(), m.runId(), m.signature(), m.serving(),
        m.params(), m.metrics(), m.description(), m.createdAt()));
    Files.writeString(dir.resolve("model.pt"), "weights");
    return dir;
  }

  @Test
  void openCreatesTheRoot() {
    Path root = tmp.resolve("a/b/models");
    ModelStore store = ModelStore.open(root);
    assertTrue(Files.isDirectory(root));
    assertEquals(root.toAbsolutePath(), store.root());
    assertEquals(List.of(), store.modelNames());
  }

  @Test
  void listsModelsSortedAndVersionsInSemverOrderIgnoringTempDirs() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    for (String v : List.of("1.10.0", "1.2.0", "1.2.0-rc.1", "0.9.0")) {
      mkVersion(tmp, "zeta", v);
    }
    mkVersion(tmp, "alpha", "1.0.0");
    Files.createDirectories(tmp.resolve("zeta/versions/.tmp-1234"));
    Files.createDirectories(tmp.resolve("not_a_model"));
    Files.createDirectories(tmp.resolve(".hidden/versions"));
    assertEquals(List.of("alpha", "zeta"), store.modelNames());
    assertEquals(List.of("0.9.0", "1.2.0-rc.1", "1.2.0", "1.10.0"), store.versions("zeta"));
  }

  @Test
  void missingOrInvalidNamesAreNotFound() throws Exception {
    ModelStore store = ModelStore.open(tmp.resolve("store"));
    mkVersion(store.root(), "m", "1.0.0");
    NotFoundException e = assertThrows(NotFoundException.class, () -> store.versions("nope"));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    e = assertThrows(NotFoundException.class, () -> store.manifest("m", "2.0.0"));
    assertTrue(e.getMessage().contains("m") && e.getMessage().contains("2.0.0"), e.getMessage());
    // A traversal attempt must not reach outside the store, even if the target exists.
    mkVersion(tmp, "outside", "1.0.0");
    assertThrows(NotFoundException.class, () -> store.manifest("../outside", "1.0.0"));
    assertThrows(NotFoundException.class, () -> store.versionDir("m", "../../outside"));
  }

  @Test
  void readsManifestAndArtifactPath() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    Path dir = mkVersion(tmp, "m", "1.0.0");
    assertEquals("m", store.manifest("m", "1.0.0").name());
    assertEquals(dir.resolve("model.pt"), store.artifactPath("m", "1.0.0"));
  }

  @Test
  void stagePointersAreRelativeSymlinksThroughWhichTheArtifactResolves() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    mkVersion(tmp, "m", "1.0.0");
    mkVersion(tmp, "m", "1.1.0");
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.PRODUCTION));
    store.setStagePointer("m", Stage.PRODUCTION, "1.0.0");
    store.setStagePointer("m", Stage.PRODUCTION, "1.1.0");
    Path link = tmp.resolve("m/production");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(Path.of("versions/1.1.0"), Files.readSymbolicLink(link));
    assertEquals("weights", Files.readString(link.resolve("model.pt")));
    assertEquals(Optional.of("1.1.0"), store.stageVersion("m", Stage.PRODUCTION));
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.DEPRECATED));
    try (var s = Files.list(tmp.resolve("m"))) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".tmp-")),
          "no temp links left");
    }
    store.clearStagePointer("m", Stage.PRODUCTION);
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.PRODUCTION));
  }

  @Test
  void pointerToAnUnknownVersionIsRefused() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    mkVersion(tmp, "m", "1.0.0");
    assertThrows(NotFoundException.class,
        () -> store.setStagePointer("m", Stage.STAGING, "9.9.9"));
    assertFalse(Files.exists(tmp.resolve("m/staging"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aForeignPointerTargetIsReportedNotFollowed() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    mkVersion(tmp, "m", "1.0.0");
    Files.createSymbolicLink(tmp.resolve("m/production"), Path.of("elsewhere"));
    StoreException e = assertThrows(StoreException.class,
        () -> store.stageVersion("m", Stage.PRODUCTION));
    assertTrue(e.getMessage().contains("points outside versions/<version>"), e.getMessage());
    assertFalse(e.getMessage().contains(tmp.toString()), e.getMessage());
  }

  @Test
  void historyRoundTripsAndIgnoresATornLastLine() throws Exception {
    ModelStore store = ModelStore.open(tmp);
    mkVersion(tmp, "m", "1.0.0");
    HistoryEntry first = HistoryEntry.of(1, "m", "1.0.0", null, Stage.DEVELOPMENT, "me", null);
    store.appendHistory(first, 1);
    // A crash before the newline: the line must not count even though it parses.
    Files.writeString(tmp.resolve("m/history.jsonl"), "{\"timestamp\":2,\"model\":\"m\","
        + "\"version\":\"1.0.0\",\"to_stage\":\"Staging\"}",
        java.nio.file.StandardOpenOption.APPEND);
    assertEquals(List.of(first), store.history("m"));
    HistoryEntry second = HistoryEntry.of(3, "m", "1.0.0", Stage.DEVELOPMENT, Stage.STAGING,
        "me", "why");
    store.appendHistory(second, 2);
    assertEquals(List.of(first, second), store.history("m"));
    assertTrue(Files.readString(tmp.resolve("m/history.jsonl"))
        .contains("\"from_stage\":\"Development\",\"to_stage\":\"Staging\""));
  }

  @Test
  void openingTheStoreCutsTornLastLinesOffHistoryAndEvents() throws Exception {
    ModelStore.open(tmp);
    mkVersion(tmp, "m", "1.0.0");
    String line = "{\"timestamp\":1,\"model\":\"m\",\"version\":\"1.0.0\","
        + "\"to_stage\":\"Development\"}\n";
    Files.writeString(tmp.resolve("m/history.jsonl"), line + "{\"timestamp\":2,\"mo");
    Files.writeString(tmp.resolve("events.jsonl"), "{\"event_type\":\"ml.model.regis");
    ModelStore.open(tmp);
    EventLog.open(tmp).close();
    assertEquals(line, Files.readString(tmp.resolve("m/history.jsonl")));
    assertEquals("", Files.readString(tmp.resolve("events.jsonl")));
  }

  @Test
  void linksOutOfTheStoreAreNotServedAndAreReported() throws Exception {
    ModelStore store = ModelStore.open(tmp.resolve("s"));
    Path root = store.root();
    mkVersion(root, "m", "1.0.0");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    mkVersion(outside, "x", "2.0.0");
    // a version directory that is a link out of the store
    Files.createSymbolicLink(root.resolve("m/versions/2.0.0"),
        outside.resolve("x/versions/2.0.0"));
    // a version whose artifact is a link out of the store
    Path v3 = mkVersion(root, "m", "3.0.0");
    Files.delete(v3.resolve("model.pt"));
    Files.writeString(outside.resolve("secret"), "not yours");
    Files.createSymbolicLink(v3.resolve("model.pt"), outside.resolve("secret"));
    // a model directory that is a link out of the store
    Files.createSymbolicLink(root.resolve("evil"), outside.resolve("x"));
    // a stage pointer that leaves versions/
    Files.createSymbolicLink(root.resolve("m/production"), Path.of("../../outside/x/versions/2.0.0"));

    assertEquals(List.of("m"), store.modelNames());
    assertFalse(store.hasModel("evil"));
    assertEquals(List.of("1.0.0", "3.0.0"), store.versions("m"));
    assertFalse(store.hasVersion("m", "2.0.0"));
    assertThrows(NotFoundException.class, () -> store.versionDir("m", "2.0.0"));
    StoreException refused = assertThrows(StoreException.class,
        () -> store.artifactPath("m", "3.0.0"));
    assertTrue(refused.getMessage().contains("resolves outside the store (model.pt)"),
        refused.getMessage());
    assertFalse(refused.getMessage().contains(tmp.toString()), refused.getMessage());
    assertThrows(StoreException.class, () -> store.stageVersion("m", Stage.PRODUCTION));

    List<String> problems = store.check();
    assertEquals(4, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("evil: the model directory is a symlink"), problems.toString());
    assertTrue(problems.get(1).startsWith("m/versions/2.0.0: is a symlink that resolves outside"),
        problems.toString());
    assertTrue(problems.get(2).startsWith("m/versions/3.0.0: holds a link that resolves outside"),
        problems.toString());
    assertTrue(problems.get(3).startsWith("m/production: points outside"), problems.toString());
    for (String p : problems) {
      assertFalse(p.contains(tmp.toString()), p);
    }
  }
}
