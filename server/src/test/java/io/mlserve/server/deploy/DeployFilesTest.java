package io.mlserve.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.testing.PromtoolCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files under {@code deploy/} parse, fit together (the dashboard's data source is the
 * provisioned one, Grafana's interval is Prometheus' scrape interval, Prometheus scrapes the
 * server's default HTTP port) and are valid for the tools that read them: Grafana's dashboard
 * model, {@code promtool check config}, and every dashboard expression through
 * {@code promtool check rules}. That the expressions name exported metrics is
 * {@code e2e.GrafanaDashboardIT}'s check, against a live scrape.
 */
class DeployFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "heatmap");

  @TempDir Path tmp;

  private static Map<String, JsonNode> parsed() throws IOException {
    return DeployFiles.parseAll(DeployFiles.root());
  }

  @Test
  void everyFileParsesAndTheExpectedOnesExist() throws IOException {
    Map<String, JsonNode> files = parsed();
    assertTrue(files.keySet().containsAll(List.of("prometheus/prometheus.yml",
        "grafana/provisioning/datasources/mlserve.yml",
        "grafana/provisioning/dashboards/mlserve.yml", "grafana/dashboards/mlserve.json")),
        files.keySet().toString());
  }

  @Test
  void aFileThatDoesNotParseIsNamed() throws IOException {
    Files.writeString(tmp.resolve("ok.yml"), "a: 1\n");
    Files.writeString(tmp.resolve("dashboard.json"), "{\"a\": 1, \"a\": 2}");
    IOException e = assertThrows(IOException.class, () -> DeployFiles.parseAll(tmp));
    assertTrue(e.getMessage().startsWith("deploy/dashboard.json does not parse: "),
        e.getMessage());
    Files.delete(tmp.resolve("dashboard.json"));
    Files.writeString(tmp.resolve("notes.txt"), "x");
    assertThrows(IllegalArgumentException.class, () -> DeployFiles.parseAll(tmp));
  }

  @Test
  void dashboardsAreGrafanaDashboardsOverTheDataSourceVariable() throws IOException {
    Map<String, JsonNode> dashboards = DeployFiles.dashboards(parsed());
    assertFalse(dashboards.isEmpty());
    dashboards.forEach((file, d) -> {
      assertTrue(d.path("schemaVersion").asInt() >= 36, file + ": schemaVersion");
      assertFalse(d.path("uid").asText().isBlank(), file + ": uid");
      assertFalse(d.path("title").asText().isBlank(), file + ": title");
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : DeployFiles.panels(d)) {
        String title = file + " panel \"" + p.path("title").asText() + "\"";
        assertTrue(ids.add(p.path("id").asInt(-1)), title + ": duplicate or missing id");
        assertTrue(PANEL_TYPES.contains(p.path("type").asText()), title + ": type");
        JsonNode g = p.path("gridPos");
        assertTrue(g.path("w").asInt() > 0 && g.path("h").asInt() > 0
            && g.path("x").asInt() + g.path("w").asInt() <= 24, title + ": gridPos " + g);
        if (!p.path("type").asText().equals("row")) {
          assertEquals("${datasource}", p.path("datasource").path("uid").asText(), title);
          assertFalse(p.path("targets").isEmpty(), title + ": no targets");
          Set<String> refIds = new HashSet<>();
          for (JsonNode t : p.path("targets")) {
            assertTrue(refIds.add(t.path("refId").asText()), title + ": refId");
            assertEquals("${datasource}", t.path("datasource").path("uid").asText(), title);
          }
        }
      }
      Map<String, JsonNode> vars = variables(d);
      assertEquals("prometheus", vars.get("datasource").path("query").asText(), file);
      for (String v : List.of("instance", "model", "version")) {
        assertNotNull(vars.get(v), file + ": variable $" + v);
      }
      assertTrue(vars.get("model").path("definition").asText()
          .startsWith("label_values(mlserve_requests_total"), file);
    });
  }

  @Test
  void everyExpressionReadsAMetricAndPromtoolAcceptsIt() throws Exception {
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (var e : DeployFiles.dashboards(parsed()).entrySet()) {
      for (DeployFiles.Query q : DeployFiles.queries(e.getKey(), e.getValue())) {
        if (!q.variable()) {
          assertFalse(q.metricNames().isEmpty(), q.where() + " reads no metric: " + q.text());
          // Grafana's variables as Prometheus would see them after interpolation.
          String expr = q.text().replace("$__rate_interval", "1m").replaceAll("\\$\\w+", ".*");
          rules.append("      - record: dashboard:expr").append(n++).append("\n        expr: ")
              .append(JSON.writeValueAsString(expr))
              .append('\n');
        }
      }
    }
    assertTrue(n > 20, "too few expressions: " + n);
    Path file = Files.writeString(tmp.resolve("dashboard-rules.yml"), rules);
    String out = PromtoolCheck.check("DeployFilesTest", "rules", file);
    assertTrue(out.contains("SUCCESS: " + n + " rules found"), out);
  }

  @Test
  void provisioningFilesAgreeWithTheDashboardAndPrometheus() throws Exception {
    Map<String, JsonNode> files = parsed();
    JsonNode prometheus = files.get("prometheus/prometheus.yml");
    JsonNode job = prometheus.path("scrape_configs").path(0);
    assertEquals("/metrics", job.path("metrics_path").asText());
    // The server's default HTTP port (ServeOptions --http-port).
    assertEquals("localhost:8080", job.path("static_configs").path(0).path("targets").path(0)
        .asText());

    JsonNode datasources = files.get("grafana/provisioning/datasources/mlserve.yml");
    assertEquals(1, datasources.path("apiVersion").asInt());
    JsonNode ds = datasources.path("datasources").path(0);
    assertEquals("prometheus", ds.path("type").asText());
    assertEquals(prometheus.path("global").path("scrape_interval").asText(),
        ds.path("jsonData").path("timeInterval").asText(), "timeInterval = scrape_interval");
    for (JsonNode d : DeployFiles.dashboards(files).values()) {
      assertEquals(ds.path("uid").asText(),
          variables(d).get("datasource").path("current").path("value").asText());
    }

    JsonNode providers = files.get("grafana/provisioning/dashboards/mlserve.yml");
    assertEquals(1, providers.path("apiVersion").asInt());
    JsonNode provider = providers.path("providers").path(0);
    assertEquals("file", provider.path("type").asText());
    assertTrue(provider.path("options").path("path").asText().startsWith("/"), "absolute path");

    PromtoolCheck.check("DeployFilesTest", "config",
        DeployFiles.root().resolve("prometheus/prometheus.yml"));
  }

  private static Map<String, JsonNode> variables(JsonNode dashboard) {
    Map<String, JsonNode> out = new HashMap<>();
    dashboard.path("templating").path("list").forEach(v -> out.put(v.path("name").asText(), v));
    return out;
  }
}
