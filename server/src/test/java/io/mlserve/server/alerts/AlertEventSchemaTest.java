package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.json.Json;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.store.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert events a real AlertService appends to a real event log, checked against
 * docs/events.md ("Written by the inference server"): the same types, and each line with exactly
 * the documented keys, in that order, a process alert's model and version null.
 */
class AlertEventSchemaTest {
  private static final Pattern SECTION = Pattern.compile("(?m)^## `([a-z._0-9]+)`$");
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z_.0-9]+)` \\|");

  @TempDir Path tmp;

  @Test
  void everyAlertEventHasExactlyTheDocumentedFields() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    ModelMetrics m = new ModelMetrics("m", "1.0.0");
    Map<Scope, ModelMetrics> served = new HashMap<>(Map.of(new Scope("m", "1.0.0"), m));
    long[] rss = {3L << 30};
    ResourceUsage resources = new ResourceUsage(new CgroupLimits(tmp, tmp.resolve("self")),
        () -> 0, () -> rss[0], 4L << 30, 1, GpuProbe.NONE, System::nanoTime);
    AlertConfig config = new AlertConfig(List.of(
        new AlertRule("Traffic", "request_rate > 0", Duration.ofSeconds(5), Duration.ZERO,
            "info", Map.of(), Map.of("summary", "{{ $value }} rps")),
        new AlertRule("Memory", "memory_utilization > 0.5", Duration.ofSeconds(5),
            Duration.ZERO, "warning", Map.of(), Map.of())), List.of());
    try (EventLog log = EventLog.open(tmp.resolve("store"))) {
      AlertService service = new AlertService(config, Duration.ofSeconds(5),
          () -> Map.copyOf(served), new MetricsWindow(DriftSignals.NONE, resources, clock,
              Duration.ofSeconds(5), Duration.ofSeconds(5)),
          new AlertNotifier(List.of(), () -> "", AlertNotifier.Sleeper.SYSTEM, 1), clock);
      service.attach(AlertService.Leadership.ALWAYS, log::append);
      service.tick();
      m.requestStarted();
      m.requestFinished(1_000_000, null);
      clock.advance(Duration.ofSeconds(5));
      service.tick(); // both fire
      rss[0] = 1L << 30;
      served.clear();
      clock.advance(Duration.ofSeconds(5));
      service.tick(); // both resolve: memory is low again, the version left
      service.close();
      Map<String, List<List<String>>> emitted = new HashMap<>();
      for (String line : Files.readAllLines(log.file())) {
        JsonNode n = Json.MAPPER.readTree(line);
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        emitted.computeIfAbsent(n.get("event_type").asText(), k -> new ArrayList<>()).add(keys);
        if (n.get("alertname").asText().equals("Memory")) {
          assertTrue(n.get("model_name").isNull() && n.get("version").isNull(), line);
        }
      }
      Map<String, List<String>> documented = documented();
      assertEquals(documented.keySet(), emitted.keySet());
      for (Map.Entry<String, List<String>> d : documented.entrySet()) {
        assertEquals(2, emitted.get(d.getKey()).size(), d.getKey());
        for (List<String> keys : emitted.get(d.getKey())) {
          assertEquals(d.getValue(), keys, d.getKey());
        }
      }
    }
  }

  /** The server-written types and their fields, in order, from docs/events.md. */
  private static Map<String, List<String>> documented() throws Exception {
    String doc = Files.readString(DemoModel.repoRoot().resolve("docs/events.md"));
    int start = doc.indexOf("\n# Written by the inference server");
    assertTrue(start > 0, "docs/events.md has no server section");
    doc = doc.substring(start);
    Map<String, List<String>> out = new HashMap<>();
    Matcher sections = SECTION.matcher(doc);
    List<String> names = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    while (sections.find()) {
      names.add(sections.group(1));
      starts.add(sections.end());
    }
    for (int i = 0; i < names.size(); i++) {
      int to = i + 1 < names.size() ? starts.get(i + 1) : doc.length();
      Matcher rows = ROW.matcher(doc.substring(starts.get(i), to));
      Set<String> fields = new LinkedHashSet<>();
      while (rows.find()) {
        fields.add(rows.group(1));
      }
      out.put(names.get(i), new ArrayList<>(fields));
    }
    return out;
  }
}
