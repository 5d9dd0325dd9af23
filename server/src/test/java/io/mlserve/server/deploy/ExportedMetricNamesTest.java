package io.mlserve.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.alerts.SignalNames;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExportedMetricNamesTest {
  private static final String EXPOSITION = """
      # HELP h Latency.
      # TYPE h histogram
      h_bucket{le="1"} 1
      h_bucket{le="+Inf"} 1
      h_sum 0.5
      h_count 1
      # TYPE s summary
      s{quantile="0.5"} 1
      # TYPE declared_only_total counter
      # TYPE g gauge
      g{model="m"} 3
      untyped 1
      """;

  @Test
  void familiesWithTheirSuffixesAndSamplesAreExported() {
    ExportedMetricNames names = ExportedMetricNames.fromExposition(EXPOSITION);
    assertEquals(Set.of("h", "h_bucket", "h_sum", "h_count", "s", "s_sum", "s_count",
        "declared_only_total", "g", "untyped"), names.names());
  }

  @Test
  void aNameThatIsNotExportedIsMissing() {
    ExportedMetricNames names = ExportedMetricNames.fromExposition(EXPOSITION);
    assertEquals(Set.of("g_total", "mlserve_bogus"),
        names.missing(List.of("h_bucket", "g", "g_total", "mlserve_bogus")));
    // A drift gauge appears only once computed: accepted only with the conditional names.
    assertEquals(Set.of(SignalNames.METRIC_FEATURE_PSI),
        names.missing(List.of(SignalNames.METRIC_FEATURE_PSI)));
    assertEquals(Set.of(), names.withConditional()
        .missing(List.of(SignalNames.METRIC_FEATURE_PSI, SignalNames.METRIC_CPU_LIMIT_CORES)));
    assertTrue(ExportedMetricNames.conditional().contains("mlserve_drift_features_drifted_ratio"));
  }
}
