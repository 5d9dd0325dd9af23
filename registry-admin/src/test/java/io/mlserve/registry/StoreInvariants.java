package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** Checks that a store is readable and consistent, as any reader would need it to be. */
final class StoreInvariants {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoreInvariants() {}

  /** @return the events' seqs */
  static List<Long> check(Path root) throws Exception {
    ModelStore store = ModelStore.open(root);
    for (String model : store.modelNames()) {
      for (String v : store.versions(model)) {
        Manifest m = store.manifest(model, v);
        assertEquals(v, m.version());
        assertEquals(m.sha256(), sha256(store.artifactPath(model, v)), model + ":" + v);
      }
      for (Stage s : List.of(Stage.PRODUCTION, Stage.STAGING)) {
        store.stageVersion(model, s).ifPresent(v ->
            assertTrue(store.hasVersion(model, v), s + " points at missing " + v));
      }
      Path history = root.resolve(model).resolve("history.jsonl");
      for (String line : completeLines(history)) {
        JsonNode n = JSON.readTree(line);
        assertTrue(n.has("to_stage") && n.has("version"), line);
      }
      assertEquals(completeLines(history).size(), store.history(model).size());
      io.mlserve.store.DeploymentStore.read(root, model).map(d -> d.split()).ifPresent(split ->
          split.versions().forEach(v -> assertTrue(store.hasVersion(model, v),
              "the split names missing " + v)));
      for (String v : store.versions(model)) {
        new ModelRegistry(store, EventLog.open(root), ArtifactValidator.none(),
            java.time.Clock.systemUTC()).stageOf(model, v);
      }
    }
    long prev = 0;
    List<String> lines = completeLines(root.resolve(EventLog.FILE_NAME));
    List<Long> seqs = new java.util.ArrayList<>();
    for (String line : lines) {
      Event e = Event.fromJson(line);
      assertTrue(e.seq() > prev, "seq " + e.seq() + " after " + prev);
      prev = e.seq();
      seqs.add(e.seq());
    }
    return seqs;
  }

  static List<String> completeLines(Path file) throws Exception {
    if (!Files.exists(file)) {
      return List.of();
    }
    String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    int end = s.lastIndexOf('\n');
    return end < 0 ? List.of() : s.substring(0, end).lines().filter(l -> !l.isBlank()).toList();
  }

  static String sha256(Path p) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      sha.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
