package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.deploy.DeployFiles;
import io.mlserve.server.deploy.ExportedMetricNames;
import io.mlserve.server.deploy.KubeManifests;
import io.mlserve.server.testing.DemoModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboards under {@code deploy/grafana/dashboards/} query is one the
 * server exports: starts {@code bin/mlserve demo} as the README does, sends it requests over
 * REST (answered and failed), scrapes {@code /metrics} over loopback, and compares the metric
 * names of every panel target and query variable with the scrape's families (histogram and
 * summary suffixes included), and the metrics {@code deploy/k8s}'s autoscalers read, and the
 * conditionally exported {@code SignalNames.METRIC_*} (drift,
 * resources, GPU), which a fresh demo may not show yet.
 */
class GrafanaDashboardIT {

  @TempDir Path tmp;
  private LauncherProcess demo;

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      try {
        demo.terminate();
        demo.awaitExit(60, TimeUnit.SECONDS);
      } finally {
        demo.close();
      }
    }
  }

  @Test
  void everyDashboardQueryNamesAnExportedMetric() throws Exception {
    demo = LauncherProcess.startInTmp(tmp,
        "demo", "--grpc-port", "0", "--http-port", "0", "--bind", "127.0.0.1");
    Matcher ready = demo.awaitReady();
    int httpPort = Integer.parseInt(ready.group(2));
    HttpClient http = HttpClient.newHttpClient();
    String row = DemoModel.examples().get("inputs").get(0).toString();
    for (int i = 0; i < 20; i++) {
      assertEquals(200, predict(http, httpPort, row).statusCode());
    }
    assertEquals(400, predict(http, httpPort, "[1, 2, 3]").statusCode(), "a wrong shape");

    HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, scrape.statusCode());
    assertTrue(scrape.body().contains("mlserve_batch_size_count{model=\"curve_forecaster\""),
        scrape.body());
    ExportedMetricNames exported =
        ExportedMetricNames.fromExposition(scrape.body()).withConditional();

    Map<String, JsonNode> dashboards =
        DeployFiles.dashboards(DeployFiles.parseAll(DeployFiles.root()));
    assertFalse(dashboards.isEmpty(), "no dashboard under deploy/grafana/dashboards");
    List<String> unexported = new ArrayList<>();
    int queries = 0;
    for (var d : dashboards.entrySet()) {
      for (DeployFiles.Query q : DeployFiles.queries(d.getKey(), d.getValue())) {
        queries++;
        Set<String> missing = exported.missing(q.metricNames());
        if (!missing.isEmpty()) {
          unexported.add(q.where() + " reads " + missing + ": " + q.text());
        }
      }
    }
    assertTrue(queries > 20, "too few queries: " + queries);
    // The Kubernetes autoscalers (HPA via the Prometheus Adapter, KEDA) read these per pod.
    Set<String> scaling = KubeManifests.load().autoscalingMetrics();
    Set<String> missingScaling = exported.missing(scaling);
    if (!missingScaling.isEmpty()) {
      unexported.add("deploy/k8s autoscaling reads " + missingScaling + " (of " + scaling + ")");
    }
    assertEquals(List.of(), unexported,
        "dashboard queries naming metrics that /metrics does not export (exported: "
            + exported.names() + ")");
  }

  private static HttpResponse<String> predict(HttpClient http, int port, String input)
      throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/api/v1/predict"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"curve_forecaster\",\"input\":" + input + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
