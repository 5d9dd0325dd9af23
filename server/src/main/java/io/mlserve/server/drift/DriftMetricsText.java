package io.mlserve.server.drift;

import io.mlserve.server.alerts.SignalNames;
import io.mlserve.server.drift.DriftReport.FeatureDrift;
import io.mlserve.server.drift.DriftReport.VersionDrift;
import io.mlserve.server.metrics.PrometheusText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The drift part of {@code /metrics} (Prometheus text format 0.0.4), per served version
 * (labels {@code model}, {@code version}) whose window was compared: the share of drifted input
 * features, the largest PSI and KS statistic of any input, the largest output PSI, performance
 * drift, and per feature (label {@code feature}, or {@code output}) the PSI and KS of only the
 * {@code topK} features with the largest PSI, so that a model with thousands of features keeps
 * a bounded number of series. Rows sampled, window rows and reference rows are exported for
 * every watched version, and the bytes all windows hold. Names are {@link SignalNames}' {@code METRIC_*}, which the exported
 * alert rules query. A figure with nothing behind it (no outputs reference, no feedback) is
 * left out rather than written as 0.
 *
 * <p>This class is thread-safe; each call renders a fresh snapshot.
 */
public final class DriftMetricsText {
  private final DriftMonitor drift;

  public DriftMetricsText(DriftMonitor drift) {
    this.drift = Objects.requireNonNull(drift, "drift");
  }

  /** The drift families, each with its HELP and TYPE lines (nothing when drift is off). */
  public String render() {
    if (!drift.config().enabled()) {
      return "";
    }
    List<DriftReport> reports = drift.reports();
    List<String[]> keys = new ArrayList<>();
    List<VersionDrift> all = new ArrayList<>();
    for (DriftReport r : reports) {
      for (VersionDrift v : r.versions()) {
        keys.add(new String[] {r.model(), v.version()});
        all.add(v);
      }
    }
    int k = drift.config().topK();
    StringBuilder out = new StringBuilder(512 + 256 * all.size() * (1 + k));
    PrometheusText.header(out, "mlserve_drift_memory_bytes", "gauge",
        "Bytes the drift windows and live-reference buffers of all served versions hold.");
    out.append("mlserve_drift_memory_bytes ").append(drift.bytes()).append('\n');
    PrometheusText.header(out, "mlserve_drift_sampled_rows_total", "counter",
        "Rows sampled into the version's drift window since it started serving here.");
    each(out, keys, all, "mlserve_drift_sampled_rows_total", v -> v.sampledRows(), false);
    PrometheusText.header(out, "mlserve_drift_window_rows", "gauge",
        "Live rows the latest drift comparison used.");
    each(out, keys, all, "mlserve_drift_window_rows", v -> v.windowRows(), false);
    PrometheusText.header(out, "mlserve_drift_reference_rows", "gauge",
        "Rows behind the version's input reference (0 while the live reference is collected).");
    each(out, keys, all, "mlserve_drift_reference_rows", v -> v.referenceRows(), false);
    PrometheusText.header(out, "mlserve_drift_reference_live", "gauge",
        "1 when the reference is the first live rows (the version has no stored reference).");
    each(out, keys, all, "mlserve_drift_reference_live", v -> v.referenceLive() ? 1 : 0,
        false);
    PrometheusText.header(out, SignalNames.METRIC_DRIFT_SHARE, "gauge",
        "Share of input features whose PSI exceeds the drift threshold.");
    each(out, keys, all, SignalNames.METRIC_DRIFT_SHARE, VersionDrift::driftedShare, true);
    PrometheusText.header(out, SignalNames.METRIC_FEATURE_PSI_MAX, "gauge",
        "The largest PSI of any input feature against the reference.");
    each(out, keys, all, SignalNames.METRIC_FEATURE_PSI_MAX, VersionDrift::maxFeaturePsi, true);
    PrometheusText.header(out, SignalNames.METRIC_FEATURE_KS_MAX, "gauge",
        "The largest Kolmogorov-Smirnov statistic of any input feature against the reference.");
    each(out, keys, all, SignalNames.METRIC_FEATURE_KS_MAX, VersionDrift::maxFeatureKs, true);
    PrometheusText.header(out, SignalNames.METRIC_FEATURE_PSI, "gauge",
        "PSI of the " + k + " input features with the largest PSI.");
    top(out, keys, all, SignalNames.METRIC_FEATURE_PSI, "feature", false, k,
        FeatureDrift::psi);
    PrometheusText.header(out, SignalNames.METRIC_FEATURE_KS, "gauge",
        "KS statistic of the " + k + " input features with the largest PSI.");
    top(out, keys, all, SignalNames.METRIC_FEATURE_KS, "feature", false, k, FeatureDrift::ks);
    PrometheusText.header(out, SignalNames.METRIC_PREDICTION_PSI_MAX, "gauge",
        "The largest PSI of any output against the reference (prediction drift).");
    each(out, keys, all, SignalNames.METRIC_PREDICTION_PSI_MAX, VersionDrift::maxPredictionPsi,
        true);
    PrometheusText.header(out, SignalNames.METRIC_PREDICTION_PSI, "gauge",
        "PSI of the " + k + " outputs with the largest PSI.");
    top(out, keys, all, SignalNames.METRIC_PREDICTION_PSI, "output", true, k,
        FeatureDrift::psi);
    PrometheusText.header(out, SignalNames.METRIC_PERFORMANCE_DRIFT, "gauge",
        "Live error from outcome feedback over the version's evaluated error, minus 1.");
    each(out, keys, all, SignalNames.METRIC_PERFORMANCE_DRIFT,
        v -> v.performance() == null ? Double.NaN : v.performance().drift(), true);
    return out.toString();
  }

  private static void each(StringBuilder out, List<String[]> keys, List<VersionDrift> all,
      String name, ToDoubleFunction<VersionDrift> value, boolean comparedOnly) {
    for (int i = 0; i < all.size(); i++) {
      VersionDrift v = all.get(i);
      double x = value.applyAsDouble(v);
      if ((!comparedOnly || v.computedAtMillis() > 0) && Double.isFinite(x)) {
        line(out, name, keys.get(i), null, x);
      }
    }
  }

  private static void top(StringBuilder out, List<String[]> keys, List<VersionDrift> all,
      String name, String label, boolean outputs, int k, ToDoubleFunction<FeatureDrift> value) {
    for (int i = 0; i < all.size(); i++) {
      VersionDrift v = all.get(i);
      List<FeatureDrift> fs = new ArrayList<>(outputs ? v.outputs() : v.features());
      fs.sort(Comparator.comparingDouble(FeatureDrift::psi).reversed()
          .thenComparing(FeatureDrift::name));
      for (FeatureDrift f : fs.subList(0, Math.min(k, fs.size()))) {
        line(out, name, keys.get(i),
            label + "=\"" + PrometheusText.escape(f.name()) + "\"", value.applyAsDouble(f));
      }
    }
  }

  private static void line(StringBuilder out, String name, String[] key, String extra,
      double value) {
    out.append(name).append("{model=\"").append(PrometheusText.escape(key[0]))
        .append("\",version=\"").append(PrometheusText.escape(key[1])).append('"');
    if (extra != null) {
      out.append(',').append(extra);
    }
    out.append("} ").append(PrometheusText.num(value)).append('\n');
  }
}
