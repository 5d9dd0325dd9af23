package io.mlserve.server.alerts.promql;

import static io.mlserve.server.alerts.promql.ScrapedSeries.INSTANCE;
import static io.mlserve.server.alerts.promql.ScrapedSeries.JOB;
import static io.mlserve.server.alerts.promql.ScrapedSeries.MODEL;
import static io.mlserve.server.alerts.promql.ScrapedSeries.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertEvaluator;
import io.mlserve.server.alerts.AlertRule;
import io.mlserve.server.alerts.AlertState;
import io.mlserve.server.alerts.AlertTransition;
import io.mlserve.server.alerts.Scope;
import io.mlserve.server.alerts.SignalNames;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.server.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported rules under Prometheus' own rule engine ({@code promtool test rules}): over
 * series with the exact names and label sets of a real {@code /metrics} render (plus the
 * {@code job}/{@code instance} a scrape adds), each built-in rule fires at the time its
 * {@code for} says, with the labels and the annotations the built-in evaluator gives the same
 * value; a second series set, every signal at or under its threshold (and cancelled requests
 * or other phases that would fire if counted), fires nothing. Values are chosen so that
 * PromQL's arithmetic is exact (rates of counters over the full window, the +Inf bucket), so
 * the annotations match to the digit.
 */
class PrometheusRulesPromtoolTest {
  private static final Scope VERSION_SCOPE = new Scope(MODEL, VERSION);
  private static final long GIB = 1L << 30;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path tmp;
  private final ScrapedSeries scraped = ScrapedSeries.render();
  private final ArrayNode groups = YAML.createArrayNode();

  @Test
  void builtInRulesFireWhenTheyShouldAndOnlyThen() throws Exception {
    latencyFires();
    errorRateFires();
    cpuFires();
    memoryFires();
    driftFires(0.5, 0.1, 0.5);
    driftFires(0.1, 0.25, 0.25);
    nothingFiresUnderTheThresholds();
    valuesPrintAsPrometheusPrintsThem();

    Files.writeString(tmp.resolve("mlserve-rules.yml"),
        PrometheusRules.render(AlertConfig.defaults()));
    Files.writeString(tmp.resolve("value-rules.yml"), PrometheusRules.render(List.of(VALUE_RULE)));
    ObjectNode file = YAML.createObjectNode();
    file.putArray("rule_files").add("mlserve-rules.yml").add("value-rules.yml");
    file.put("evaluation_interval", "1m");
    file.set("tests", groups);
    Files.writeString(tmp.resolve("mlserve-rules.test.yml"), YAML.writeValueAsString(file));
    String out = Promtool.run("PrometheusRulesPromtoolTest", "promtool test rules", tmp,
        "test", "rules", "mlserve-rules.test.yml");
    assertTrue(out.contains("SUCCESS"), out);
    assertEquals(8, groups.size());
  }

  private void latencyFires() {
    Group g = new Group("HighLatency: every request slower than the largest finite bucket");
    double largest = 0;
    for (String id : scraped.all("mlserve_request_duration_seconds_bucket", "phase=\"total\"")) {
      boolean inf = id.contains("le=\"+Inf\"");
      g.series(id, inf ? "0+60x30" : "0+0x30");
      largest = inf ? largest : Math.max(largest, le(id));
    }
    // histogram_quantile answers the largest finite bound when the rank is in the +Inf bucket.
    AlertTransition t = firing("HighLatency", SignalNames.LATENCY_P95_MS, VERSION_SCOPE,
        largest * 1000);
    g.expect("1m", "HighLatency").expect("2m", "HighLatency", t).expect("10m", "HighLatency", t);
  }

  private void errorRateFires() {
    Group g = new Group("HighErrorRate: a quarter of the requests fail, cancelled ones aside");
    String failure = ModelMetrics.OUTCOMES[1];
    for (String id : scraped.all("mlserve_requests_total")) {
      g.series(id, id.contains("outcome=\"ok\"") ? "0+225x30"
          : id.contains("outcome=\"" + failure + "\"") ? "0+75x30"
          : id.contains("outcome=\"cancelled\"") ? "0+600x30" : "0+0x30");
    }
    AlertTransition t = firing("HighErrorRate", SignalNames.ERROR_RATE, VERSION_SCOPE, 0.25);
    g.expect("1m", "HighErrorRate").expect("2m", "HighErrorRate", t)
        .expect("10m", "HighErrorRate", t);
  }

  private void processSeries(Group g, String cpuPerMinute, long rss) {
    g.series(scraped.one("process_cpu_seconds_total"), "1000+" + cpuPerMinute + "x30");
    g.series(scraped.one("process_resident_memory_bytes"), rss + "+0x30");
    g.series(scraped.orBuilt(SignalNames.METRIC_CPU_LIMIT_CORES, ""), "5+0x30");
    g.series(scraped.orBuilt(SignalNames.METRIC_MEMORY_LIMIT_BYTES, ""), GIB + "+0x30");
  }

  private void cpuFires() {
    Group g = new Group("ResourceExhaustion: 4.5 of 5 cores");
    // 270 CPU seconds a minute: promtool's rate is 4.5 exactly (some slopes are off in the
    // last bit, which the annotation would show).
    processSeries(g, "270", GIB / 2);
    AlertTransition t = firing("ResourceExhaustion", SignalNames.CPU_UTILIZATION,
        Scope.PROCESS, 0.9);
    // The rate reaches 4.5 cores once the window holds 4 minutes; then 5m of for.
    g.expect("3m", "ResourceExhaustion").expect("15m", "ResourceExhaustion", t);
  }

  private void memoryFires() {
    Group g = new Group("ResourceExhaustion: 7/8 of the memory limit");
    processSeries(g, "60", GIB / 8 * 7);
    AlertTransition t = firing("ResourceExhaustion", SignalNames.MEMORY_UTILIZATION,
        Scope.PROCESS, 0.875);
    g.expect("4m", "ResourceExhaustion").expect("5m", "ResourceExhaustion", t);
  }

  private void driftFires(double share, double performance, double value) {
    Group g = new Group("ModelDrift: share " + share + ", performance " + performance);
    g.series(scraped.orBuilt(SignalNames.METRIC_DRIFT_SHARE, ScrapedSeries.modelLabels()),
        share + "+0x30");
    g.series(scraped.orBuilt(SignalNames.METRIC_PERFORMANCE_DRIFT, ScrapedSeries.modelLabels()),
        performance + "+0x30");
    AlertTransition t = firing("ModelDrift", share > 0.3 ? SignalNames.DRIFT_SHARE
        : SignalNames.PERFORMANCE_DRIFT, VERSION_SCOPE, value);
    g.expect("4m", "ModelDrift").expect("5m", "ModelDrift", t);
  }

  private void nothingFiresUnderTheThresholds() {
    Group g = new Group("nothing fires at or under the thresholds");
    List<String> total = scraped.all("mlserve_request_duration_seconds_bucket",
        "phase=\"total\"");
    double under = total.stream().filter(id -> !id.contains("+Inf")).mapToDouble(
        PrometheusRulesPromtoolTest::le).filter(le -> le <= 0.2).max().orElseThrow();
    for (String id : scraped.all("mlserve_request_duration_seconds_bucket")) {
      boolean inf = id.contains("le=\"+Inf\"");
      // total: every request within the largest bucket at most 200 ms; the queue and compute
      // phases all slow, which would fire if the rule read them.
      boolean counted = id.contains("phase=\"total\"") ? inf || le(id) >= under : inf;
      g.series(id, counted ? "0+60x30" : "0+0x30");
    }
    String failure = ModelMetrics.OUTCOMES[1];
    for (String id : scraped.all("mlserve_requests_total")) {
      // 2 failures in 300 (0.0067); many cancelled ones, which would fire if they counted.
      g.series(id, id.contains("outcome=\"ok\"") ? "0+298x30"
          : id.contains("outcome=\"" + failure + "\"") ? "0+2x30"
          : id.contains("outcome=\"cancelled\"") ? "0+1000x30" : "0+0x30");
    }
    processSeries(g, "240", GIB / 4 * 3); // CPU at 0.8 exactly, memory 0.75
    g.series(scraped.orBuilt(SignalNames.METRIC_DRIFT_SHARE, ScrapedSeries.modelLabels()),
        "0.3+0x30");
    g.series(scraped.orBuilt(SignalNames.METRIC_PERFORMANCE_DRIFT, ScrapedSeries.modelLabels()),
        "0.2+0x30");
    for (AlertRule r : AlertConfig.defaults().rules()) {
      for (String at : new String[] {"1m", "2m", "5m", "6m", "10m", "20m", "30m"}) {
        g.expect(at, r.name());
      }
    }
  }

  /** A rule whose annotation is only {@code $value}, to compare number formatting with Go's. */
  private static final AlertRule VALUE_RULE = new AlertRule("ValuePrint", "queue_depth > 0",
      Duration.ofMinutes(1), Duration.ZERO, "info", Map.of(), Map.of("value", "{{ $value }}"));

  private void valuesPrintAsPrometheusPrintsThem() {
    Group g = new Group("$value prints as Go prints a float");
    ObjectNode exp = YAML.createObjectNode();
    ArrayNode alerts = exp.putArray("exp_alerts");
    double[] values = {1234567, 0.00001, 123456, 0.1, 2.5e-7};
    for (int i = 0; i < values.length; i++) {
      Scope s = new Scope("m" + i, "1.0.0");
      g.series("mlserve_queue_depth{" + "job=\"" + JOB + "\",instance=\"" + INSTANCE
          + "\",model=\"m" + i + "\",version=\"1.0.0\"}", values[i] + "+0x3");
      AlertEvaluator ev = new AlertEvaluator(List.of(VALUE_RULE), clock());
      double v = values[i];
      AlertTransition t = ev.evaluate(Set.of(s), (sig, sc, w) -> OptionalDouble.of(v)).get(0);
      alerts.add(expAlert(t));
    }
    exp.put("eval_time", "1m").put("alertname", "ValuePrint");
    g.cases.add(exp);
  }

  /** The FIRING transition of a built-in rule whose {@code signal} holds {@code value}. */
  private static AlertTransition firing(String rule, String signal, Scope scope, double value) {
    AlertRule r = AlertConfig.defaults().rules().stream().filter(x -> x.name().equals(rule))
        .findFirst().orElseThrow();
    ManualClock clock = clock();
    AlertEvaluator ev = new AlertEvaluator(List.of(r), clock);
    ev.evaluate(Set.of(VERSION_SCOPE), (s, sc, w) -> s.equals(signal) && sc.equals(scope)
        ? OptionalDouble.of(value) : OptionalDouble.empty());
    clock.advance(r.forDuration());
    List<AlertTransition> ts = ev.evaluate(Set.of(VERSION_SCOPE), (s, sc, w) ->
        s.equals(signal) && sc.equals(scope) ? OptionalDouble.of(value) : OptionalDouble.empty());
    assertEquals(AlertState.FIRING, ts.get(0).to(), ts.toString());
    return ts.get(0);
  }

  private static ManualClock clock() {
    return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** The alert as promtool expects it: labels without alertname, plus the target's. */
  private static ObjectNode expAlert(AlertTransition t) {
    ObjectNode a = YAML.createObjectNode();
    Map<String, String> labels = new TreeMap<>(t.labels());
    labels.remove("alertname");
    if (t.scope().isProcess()) {
      labels.put("job", JOB);
      labels.put("instance", INSTANCE);
    }
    ObjectNode l = a.putObject("exp_labels");
    labels.forEach(l::put);
    ObjectNode ann = a.putObject("exp_annotations");
    new TreeMap<>(t.annotations()).forEach(ann::put);
    return a;
  }

  private static double le(String id) {
    int at = id.indexOf("le=\"") + 4;
    return Double.parseDouble(id.substring(at, id.indexOf('"', at)));
  }

  /** One promtool test group: its series and its alert checks. */
  private final class Group {
    private final ObjectNode node;
    private final Map<String, String> series = new LinkedHashMap<>();
    private final ArrayNode cases;

    Group(String name) {
      node = groups.addObject();
      node.put("name", name).put("interval", "1m");
      node.putArray("input_series");
      cases = node.putArray("alert_rule_test");
    }

    Group series(String id, String values) {
      if (series.put(id, values) != null) {
        throw new AssertionError("series given twice: " + id);
      }
      ((ArrayNode) node.get("input_series")).addObject().put("series", id)
          .put("values", values);
      return this;
    }

    /** At {@code evalTime}, {@code alertname} fires exactly {@code alerts} (none: silent). */
    Group expect(String evalTime, String alertname, AlertTransition... alerts) {
      ObjectNode c = cases.addObject();
      c.put("eval_time", evalTime).put("alertname", alertname);
      ArrayNode exp = c.putArray("exp_alerts");
      for (AlertTransition t : alerts) {
        exp.add(expAlert(t));
      }
      return this;
    }
  }
}
