package io.mlserve.server.metrics;

import io.mlserve.server.experiment.AbWindow;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.experiment.Metric;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The A/B part of {@code /metrics} (Prometheus text format 0.0.4): for each model with a traffic
 * split, every arm's weight, and per arm of the split in force its routed requests, errors,
 * latency quantiles and feedback outcomes, labelled {@code model}, {@code version} (the arm) and
 * {@code split} (the split's id: a new split starts new series); and the size of the
 * prediction log that feedback joins. Only requests the split routed count, so these are the
 * experiment's numbers; the per-version series of {@link PrometheusText} count every request.
 *
 * <p>This class is thread-safe; each call renders a fresh snapshot.
 */
public final class ExperimentMetricsText {
  private static final String[] PERCENTILES = {"p50", "p95", "p99"};

  private final Experiments experiments;

  public ExperimentMetricsText(Experiments experiments) {
    this.experiments = Objects.requireNonNull(experiments, "experiments");
  }

  /** The A/B families, each with its HELP and TYPE lines. */
  public String render() {
    List<Experiments.ArmCounters> arms = experiments.counters();
    StringBuilder out = new StringBuilder(1024 + 512 * arms.size());
    PrometheusText.header(out, "mlserve_traffic_weight_percent", "gauge",
        "Each version's weight in its model's traffic split, in percent.");
    TreeSet<String> models = new TreeSet<>();
    arms.forEach(a -> models.add(a.model()));
    for (String model : models) {
      AbWindow w = experiments.report(model).current();
      if (w != null) {
        w.weights().forEach((version, weight) -> out.append("mlserve_traffic_weight_percent{")
            .append(labels(model, version, null)).append("} ").append(num(weight)).append('\n'));
      }
    }
    PrometheusText.header(out, "mlserve_arm_requests_total", "counter",
        "Requests the traffic split routed to each arm, per split.");
    for (Experiments.ArmCounters a : arms) {
      line(out, "mlserve_arm_requests_total", a, null, a.requests());
    }
    PrometheusText.header(out, "mlserve_arm_errors_total", "counter",
        "Routed requests that failed, per arm and split.");
    for (Experiments.ArmCounters a : arms) {
      line(out, "mlserve_arm_errors_total", a, null, a.errors());
    }
    PrometheusText.header(out, "mlserve_arm_feedback_total", "counter",
        "Feedback outcomes joined to each arm's predictions, per metric (rows for accuracy).");
    for (Experiments.ArmCounters a : arms) {
      for (Metric m : Metric.values()) {
        Long n = a.outcomes().get(m);
        if (n != null && n > 0) {
          line(out, "mlserve_arm_feedback_total", a,
              "metric=\"" + m.name().toLowerCase(Locale.ROOT) + "\"", n);
        }
      }
    }
    PrometheusText.header(out, "mlserve_arm_latency_seconds", "gauge",
        "Latency percentiles (p50, p95, p99) of each arm's answered routed requests, per split.");
    for (String model : models) {
      AbWindow w = experiments.report(model).current();
      if (w == null) {
        continue;
      }
      for (AbWindow.Arm a : w.arms()) {
        Double[] q = {a.p50Ms(), a.p95Ms(), a.p99Ms()};
        for (int i = 0; i < q.length; i++) {
          if (q[i] != null) {
            out.append("mlserve_arm_latency_seconds{").append(labels(model, a.version(),
                split(w.splitId()))).append(",percentile=\"").append(PERCENTILES[i]).append("\"} ")
                .append(num(q[i] / 1000)).append('\n');
          }
        }
      }
    }
    PrometheusText.header(out, "mlserve_predictions_held", "gauge",
        "Recent predictions kept for outcome feedback to join.");
    out.append("mlserve_predictions_held ").append(experiments.predictionsHeld()).append('\n');
    PrometheusText.header(out, "mlserve_prediction_bytes", "gauge",
        "Estimated bytes the kept predictions take.");
    out.append("mlserve_prediction_bytes ").append(experiments.predictionBytes()).append('\n');
    return out.toString();
  }

  private static void line(StringBuilder out, String name, Experiments.ArmCounters a,
      String extra, long value) {
    out.append(name).append('{').append(labels(a.model(), a.version(), split(a.splitId())));
    if (extra != null) {
      out.append(',').append(extra);
    }
    out.append("} ").append(value).append('\n');
  }

  private static String labels(String model, String version, String splitOrNull) {
    String l = "model=\"" + PrometheusText.escape(model) + "\",version=\""
        + PrometheusText.escape(version) + "\"";
    return splitOrNull == null ? l : l + ",split=\"" + PrometheusText.escape(splitOrNull) + "\"";
  }

  /** A window opened before its split was announced has no id: "none". */
  private static String split(String idOrNull) {
    return idOrNull == null ? "none" : idOrNull;
  }

  private static String num(double v) {
    return PrometheusText.num(v);
  }
}
