package io.mlserve.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static double value(String text, String seriesPrefix) {
    return Arrays.stream(text.split("\n"))
        .filter(l -> l.startsWith(seriesPrefix + " ") || l.startsWith(seriesPrefix + "{")
            && l.substring(0, l.lastIndexOf(' ')).equals(seriesPrefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series " + seriesPrefix + " in\n" + text));
  }

  @Test
  void rendersCountsHistogramsAndQuantilesPerVersion() {
    MetricsRegistry registry = new MetricsRegistry();
    ModelMetrics m = registry.forVersion("curve", "1.0.0");
    for (int i = 1; i <= 100; i++) {
      m.requestStarted();
      m.requestFinished(TimeUnit.MICROSECONDS.toNanos(i * 100), null); // 0.1 .. 10 ms
      m.onRequestDone(TimeUnit.MICROSECONDS.toNanos(50), TimeUnit.MICROSECONDS.toNanos(20), true);
    }
    m.requestStarted();
    m.requestFinished(1000, InferenceException.Kind.INVALID_ARGUMENT);
    m.requestStarted();
    m.requestCancelled(1000); // the client went away: counted apart, not a failure
    m.requestStarted(); // still in flight
    m.onBatch(3, 8, 1000);
    m.onBatch(1, 1, 1000);
    m.onRejected();
    m.onQueueTimeout();
    m.onQueueTimeout();
    registry.recordUnrouted();

    String text = new PrometheusText(registry, () -> true).render();
    String l = "model=\"curve\",version=\"1.0.0\"";
    assertEquals(1, value(text, "mlserve_up"));
    assertEquals(100, value(text, "mlserve_requests_total{" + l + ",outcome=\"ok\"}"));
    assertEquals(1, value(text, "mlserve_requests_total{" + l + ",outcome=\"invalid_argument\"}"));
    assertEquals(1, value(text, "mlserve_requests_total{" + l + ",outcome=\"cancelled\"}"));
    assertEquals(1, m.failures());
    assertEquals(1, value(text, "mlserve_requests_in_flight{" + l + "}"));
    assertEquals(1, value(text, "mlserve_requests_unrouted_total"));
    assertEquals(1, value(text, "mlserve_requests_rejected_total{" + l + "}"));
    assertEquals(2, value(text, "mlserve_requests_queue_timeout_total{" + l + "}"));
    String total = l + ",phase=\"total\"";
    assertEquals(102, value(text, "mlserve_request_duration_seconds_count{" + total + "}"));
    assertEquals(102,
        value(text, "mlserve_request_duration_seconds_bucket{" + total + ",le=\"+Inf\"}"));
    // 0.1 ms .. 1 ms: 10 of the ok requests, plus the 1 us failure and the 1 us cancellation
    assertEquals(12,
        value(text, "mlserve_request_duration_seconds_bucket{" + total + ",le=\"0.001\"}"));
    double p50 = value(text, "mlserve_request_latency_seconds{" + total + ",quantile=\"0.5\"}");
    assertTrue(p50 > 0.0045 && p50 < 0.0055, "p50 " + p50);
    double p99 = value(text, "mlserve_request_latency_seconds{" + total + ",quantile=\"0.99\"}");
    assertTrue(p99 > 0.0095 && p99 < 0.0105, "p99 " + p99);
    assertEquals(2, value(text, "mlserve_batch_size_count{" + l + "}"));
    assertEquals(9, value(text, "mlserve_batch_size_sum{" + l + "}"));
    assertEquals(1, value(text, "mlserve_batch_size_bucket{" + l + ",le=\"4\"}"));
    assertTrue(text.contains("process_resident_memory_bytes "), "RSS missing");
    assertTrue(text.contains("jvm_memory_used_bytes{area=\"heap\"}"));
    // A second scrape keeps cumulative counts.
    String again = new PrometheusText(registry, () -> true).render();
    assertEquals(102, value(again, "mlserve_request_duration_seconds_count{" + total + "}"));
  }

  @Test
  void labelValuesAreEscaped() {
    assertEquals("a\\\"b\\\\c\\n", PrometheusText.escape("a\"b\\c\n"));
  }

  @Test
  void exportsTheWorkerCountAndItsBounds() {
    MetricsRegistry registry = new MetricsRegistry();
    ModelMetrics m = registry.forVersion("curve", "1.0.0");
    int[] now = {2};
    m.instancesFrom(() -> now[0], 1, 4);
    String l = "model=\"curve\",version=\"1.0.0\"";
    assertEquals(2, value(new PrometheusText(registry, () -> true).render(), "mlserve_instances{" + l + "}"));
    now[0] = 3;
    String text = new PrometheusText(registry, () -> true).render();
    assertEquals(3, value(text, "mlserve_instances{" + l + "}"));
    assertEquals(1, value(text, "mlserve_instances_min{" + l + "}"));
    assertEquals(4, value(text, "mlserve_instances_max{" + l + "}"));
  }
}
