package io.mlserve.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {
  @Test
  void namesTheSelectedMetricsAndNotFunctionsLabelsOrVariables() {
    assertEquals(Set.of("mlserve_request_duration_seconds_bucket"), PromQlMetricNames.of(
        "histogram_quantile(0.95, sum by (le, model) (rate(mlserve_request_duration_seconds_bucket"
            + "{model=~\"$model\", phase=\"total\"}[$__rate_interval])))"));
    assertEquals(Set.of("a_total", "b_total"), PromQlMetricNames.of(
        "sum without (outcome) (rate(a_total{x=\"not_a_metric\"}[5m:1m] offset 1h))"
            + " / on (instance, job) group_left (model) b_total"));
    assertEquals(Set.of("process_start_time_seconds"),
        PromQlMetricNames.of("time() - process_start_time_seconds{instance=~\"$instance\"}"));
    assertEquals(Set.of("x", "y"), PromQlMetricNames.of(
        "topk (10, x) > bool 1e3 and y unless on() vector(0) or -Inf < NaN"));
    assertEquals(Set.of("m:recorded"), PromQlMetricNames.of("m:recorded > 0x1F"));
    assertEquals(Set.of("z"), PromQlMetricNames.of("label_replace(z, \"dst\", \"$1\", 'src', `(.*)`)"));
  }

  @Test
  void readsGrafanaVariableQueries() {
    assertEquals(Set.of("mlserve_requests_total"), PromQlMetricNames.ofVariableQuery(
        "label_values(mlserve_requests_total{instance=~\"$instance\"}, model)"));
    assertEquals(Set.of(), PromQlMetricNames.ofVariableQuery("label_values(model)"));
    assertEquals(Set.of("up"), PromQlMetricNames.ofVariableQuery("query_result(max(up))"));
    assertThrows(IllegalArgumentException.class,
        () -> PromQlMetricNames.ofVariableQuery("metrics(mlserve_.*)"));
  }

  @Test
  void refusesSelectionByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PromQlMetricNames.of("{__name__=~\"mlserve_.*\"}"));
    assertTrue(e.getMessage().contains("__name__"), e.getMessage());
  }
}
