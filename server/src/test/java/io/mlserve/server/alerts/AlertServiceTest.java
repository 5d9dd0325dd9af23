package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.json.Json;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.store.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation loop on a fake clock: events, history, re-scoping, the lease. */
class AlertServiceTest {
  private static final Duration TICK = Duration.ofSeconds(5);
  private static final Scope V1 = new Scope("m", "1.0.0");
  private static final Scope V2 = new Scope("m", "2.0.0");

  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final Map<Scope, ModelMetrics> served = new ConcurrentHashMap<>();
  private final List<Event> events = new ArrayList<>();
  private final AtomicBoolean leader = new AtomicBoolean(true);
  private AlertService service;

  private AlertService service(AlertRule... rules) {
    ResourceUsage resources = new ResourceUsage(new CgroupLimits(tmp, tmp.resolve("self")),
        () -> 0, () -> 1L << 30, 4L << 30, 2, GpuProbe.NONE, System::nanoTime);
    MetricsWindow window = new MetricsWindow(DriftSignals.NONE, resources, clock, TICK,
        Duration.ofMinutes(1));
    service = new AlertService(new AlertConfig(List.of(rules), List.of()), TICK,
        () -> Map.copyOf(served), window,
        new AlertNotifier(List.of(), () -> "", AlertNotifier.Sleeper.SYSTEM, 10), clock);
    service.attach(new AlertService.Leadership() {
      @Override
      public boolean acquire() {
        return leader.get();
      }

      @Override
      public void release() {}
    }, events::add);
    return service;
  }

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
  }

  private static AlertRule rule(String name, String expr) {
    return new AlertRule(name, expr, Duration.ofSeconds(10), Duration.ZERO, "warning",
        Map.of("team", "ml"), Map.of("summary", "at {{ $value }}"));
  }

  private static void requests(ModelMetrics m, int n) {
    for (int i = 0; i < n; i++) {
      m.requestStarted();
      m.requestFinished(1_000_000, null);
    }
  }

  private List<AlertTransition> tickAfter(Duration d) {
    clock.advance(d);
    return service.tick();
  }

  @Test
  void aFiringAlertIsAppendedAsAnEventKeptAndListed() throws Exception {
    ModelMetrics m1 = new ModelMetrics("m", "1.0.0");
    served.put(V1, m1);
    service(rule("Traffic", "request_rate > 1"));
    assertEquals(List.of(), service.tick(), "one snapshot: no rate yet");
    requests(m1, 20);
    List<AlertTransition> ts = tickAfter(TICK);
    assertEquals(1, ts.size());
    assertEquals(AlertState.FIRING, ts.get(0).to());
    assertEquals(1, events.size());
    Event e = events.get(0);
    assertEquals(AlertEvents.FIRING, e.eventType());
    JsonNode json = Json.MAPPER.readTree(e.toJson());
    assertEquals("m", json.get("model_name").asText());
    assertEquals("1.0.0", json.get("version").asText());
    assertTrue(json.get("stage").isNull() && json.get("run_id").isNull()
        && json.get("previous_version").isNull(), json.toString());
    assertEquals(clock.millis(), json.get("timestamp").asLong());
    assertEquals("Traffic", json.get("alertname").asText());
    assertEquals("warning", json.get("severity").asText());
    assertEquals("firing", json.get("state").asText());
    assertEquals(4.0, json.get("value").asDouble(), 1e-12, "20 requests in 5 s");
    assertEquals(1.0, json.get("threshold").asDouble(), 0);
    assertEquals("ml", json.get("labels").get("team").asText());
    assertEquals("1.0.0", json.get("labels").get("version").asText());
    assertEquals("at 4", json.get("annotations").get("summary").asText());
    assertEquals(clock.millis(), json.get("active_since").asLong());

    AlertService.Report r = service.report(null);
    assertTrue(r.enabled() && r.evaluating());
    assertEquals(clock.millis(), r.evaluatedAtMillis());
    assertEquals(1, r.active().size());
    assertEquals(AlertState.FIRING, r.active().get(0).to());
    assertEquals(1, r.recent().size());
    assertEquals(List.of("Traffic"), r.rules().stream().map(AlertRule::name).toList());
    assertEquals(0, service.report("other").active().size());
    io.mlserve.server.testing.Promtool.lint(service.metricsText(), "AlertServiceTest");
    assertTrue(service.metricsText().contains("mlserve_alerts{alertname=\"Traffic\","
        + "state=\"firing\",severity=\"warning\",model=\"m\",version=\"1.0.0\"} 1\n"),
        service.metricsText());

    // Traffic stops: the window passes and the alert resolves with a resolved event.
    tickAfter(TICK);
    List<AlertTransition> resolved = tickAfter(TICK);
    assertEquals(AlertState.RESOLVED, resolved.get(0).to());
    assertEquals(AlertEvents.RESOLVED, events.get(1).eventType());
    assertEquals("resolved", events.get(1).field("state").asText());
    assertTrue(service.report(null).active().isEmpty());
    assertEquals(2, service.report("m").recent().size());
    assertEquals(AlertState.RESOLVED, service.report("m").recent().get(0).to(),
        "newest first");
  }

  @Test
  void aNewServedVersionReScopesAtOnceTheOldOnesAlertsResolve() {
    ModelMetrics m1 = new ModelMetrics("m", "1.0.0");
    served.put(V1, m1);
    service(rule("Traffic", "request_rate > 1"));
    service.tick();
    requests(m1, 20);
    assertEquals(AlertState.FIRING, tickAfter(TICK).get(0).to());
    // A promotion swaps 2.0.0 in, a second later: the check evaluates without waiting.
    served.remove(V1);
    served.put(V2, new ModelMetrics("m", "2.0.0"));
    clock.advance(Duration.ofSeconds(1));
    int before = events.size();
    service.check();
    assertEquals(before + 1, events.size(), "evaluated before the interval was up");
    Event resolved = events.get(events.size() - 1);
    assertEquals(AlertEvents.RESOLVED, resolved.eventType());
    assertEquals("1.0.0", resolved.version());
    assertTrue(service.report(null).active().isEmpty(), "2.0.0 starts fresh");
    // Nothing changed and the interval has not passed: no evaluation.
    long at = service.report(null).evaluatedAtMillis();
    clock.advance(Duration.ofSeconds(1));
    service.check();
    assertEquals(at, service.report(null).evaluatedAtMillis());
    clock.advance(TICK);
    service.check();
    assertTrue(service.report(null).evaluatedAtMillis() > at, "the interval passed");
  }

  @Test
  void withoutTheLeaseNothingIsEvaluatedAndTheStatesStartFreshOnReturn() {
    ModelMetrics m1 = new ModelMetrics("m", "1.0.0");
    served.put(V1, m1);
    service(rule("Traffic", "request_rate > 1"));
    service.tick();
    requests(m1, 20);
    assertEquals(1, tickAfter(TICK).size());
    leader.set(false);
    requests(m1, 20);
    assertEquals(List.of(), tickAfter(TICK));
    assertFalse(service.report(null).evaluating());
    assertTrue(service.report(null).active().isEmpty(), "the states were dropped");
    leader.set(true);
    requests(m1, 20);
    List<AlertTransition> again = tickAfter(TICK);
    assertEquals(AlertState.INACTIVE, again.get(0).from(), "fired afresh");
    assertEquals(AlertState.FIRING, again.get(0).to());
    assertEquals(2, events.size());
  }

  @Test
  void processAlertsHaveNoModelAndTheHistoryIsBounded() throws Exception {
    AtomicInteger depth = new AtomicInteger();
    ModelMetrics m1 = new ModelMetrics("m", "1.0.0");
    m1.queueDepthFrom(depth::get);
    served.put(V1, m1);
    service(rule("Memory", "memory_utilization > 0.2"), rule("Queue", "queue_depth > 0"));
    service.tick();
    Event memory = events.get(0);
    JsonNode json = Json.MAPPER.readTree(memory.toJson());
    assertTrue(json.get("model_name").isNull() && json.get("version").isNull(),
        json.toString());
    assertEquals(0.25, json.get("value").asDouble(), 0);
    assertEquals(1, service.report(null).active().size());
    assertTrue(service.report("m").active().isEmpty(), "a model filter leaves process alerts");
    for (int i = 0; i < 600; i++) {
      depth.set(i % 2 == 0 ? 1 : 0);
      tickAfter(TICK);
    }
    List<AlertTransition> recent = service.report(null).recent();
    assertEquals(AlertService.HISTORY, recent.size());
    assertEquals(AlertState.RESOLVED, recent.get(0).to(), "the last tick had depth 0");
  }
}
