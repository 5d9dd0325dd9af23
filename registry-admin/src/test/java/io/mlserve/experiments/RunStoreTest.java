package io.mlserve.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
  @TempDir Path root;

  @Test
  void runsAreCreatedLoggedAndEnded() throws Exception {
    try (EventLog events = EventLog.open(root)) {
      Clock clock = Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC);
      RunStore runs = new RunStore(ModelStore.open(root), events, clock);
      Run r = runs.create("m", "baseline", "git:abc", Map.of("team", "rates"));
      assertEquals("RUNNING", r.status());
      runs.logParam("m", r.runId(), "lr", 0.01);
      runs.logMetric("m", r.runId(), "loss", 0.9, 0);
      runs.logMetric("m", r.runId(), "loss", 0.5, 1);
      runs.logArtifact("m", r.runId(), "model.pt", new ByteArrayInputStream(new byte[] {1, 2}));
      Run done = runs.end("m", r.runId(), "finished");

      assertEquals("FINISHED", done.status());
      assertEquals(1000, done.endTime());
      assertEquals("git:abc", done.source());
      assertEquals(Map.of("lr", 0.01), done.params());
      assertEquals(List.of(new MetricPoint(0, 0.9, 1000), new MetricPoint(1, 0.5, 1000)),
          done.metrics().get("loss"));
      assertEquals(Map.of("loss", 0.5), done.latestMetrics());
      assertEquals(Map.of("team", "rates"), done.tags());
      assertEquals(List.of("artifacts/model.pt"), done.artifacts());
      assertEquals(root.resolve("m/experiments/run_" + r.runId() + "/artifacts/model.pt"),
          runs.modelArtifact("m", r.runId()));
      assertEquals(List.of(r.runId()), runs.list("m").stream().map(Run::runId).toList());
      assertEquals(List.of(Event.RUN_CREATED, Event.RUN_ENDED),
          events.readSince(0).stream().map(Event::eventType).toList());
      assertThrows(IllegalArgumentException.class, () -> runs.end("m", r.runId(), "DONE"));
      assertThrows(IllegalArgumentException.class, () -> runs.logArtifact("m", r.runId(),
          "../x", new ByteArrayInputStream(new byte[1])));
      assertThrows(NotFoundException.class, () -> runs.get("m", "nope"));
      assertThrows(IllegalArgumentException.class, () -> runs.get("m", "../../etc"));
    }
  }

  @Test
  void seedPythonRunsReadAsTheyAre() throws Exception {
    Path dir = Files.createDirectories(root.resolve("m/experiments/run_20240101_120000"));
    Files.writeString(dir.resolve("params.json"), "{\"hidden\": 64, \"lr\": 0.001}");
    Files.writeString(dir.resolve("metrics.json"), "{\"rmse\": 0.12, \"loss\": [0.5, 0.3]}");
    Files.write(dir.resolve("model.pt"), new byte[] {9});
    try (EventLog events = EventLog.open(root)) {
      RunStore runs = new RunStore(ModelStore.open(root), events, Clock.systemUTC());
      Run r = runs.list("m").get(0);
      assertEquals("20240101_120000", r.runId());
      assertEquals("FINISHED", r.status());
      assertEquals(64, r.params().get("hidden"));
      assertEquals(List.of(new MetricPoint(0, 0.12, 0)), r.metrics().get("rmse"));
      assertEquals(List.of(new MetricPoint(0, 0.5, 0), new MetricPoint(1, 0.3, 0)),
          r.metrics().get("loss"));
      assertEquals(List.of("model.pt"), r.artifacts());
      assertEquals(dir.resolve("model.pt"), runs.modelArtifact("m", r.runId()));
    }
  }
}
