package io.mlserve.server.shadow;

import io.mlserve.server.metrics.PrometheusText;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The shadow part of {@code /metrics} (Prometheus text format 0.0.4): for each model with a
 * shadow, labelled {@code model} and {@code version} (the shadow version), the copies mirrored,
 * dropped, queued, compared, failed and timed out; the share of compared requests whose outputs
 * all agreed; per output tensor (label {@code output}) the mean and maximum absolute and the mean
 * relative difference; and the shadow's latency percentiles. The counters count from the
 * shadow's start: a restarted shadow starts them again (a counter reset, which
 * {@code rate()} handles). A figure with nothing behind it yet (no comparison, no answer) is
 * left out rather than written as 0.
 *
 * <p>This class is thread-safe; each call renders a fresh snapshot.
 */
public final class ShadowMetricsText {
  private static final String[] PERCENTILES = {"p50", "p95", "p99"};

  private final Shadows shadows;

  public ShadowMetricsText(Shadows shadows) {
    this.shadows = Objects.requireNonNull(shadows, "shadows");
  }

  /** The shadow families, each with its HELP and TYPE lines. */
  public String render() {
    List<ShadowReport> reports = shadows.reports();
    StringBuilder out = new StringBuilder(1024 + 1024 * reports.size());
    counter(out, reports, "mlserve_shadow_mirrored_total",
        "Answered requests copied to the model's shadow version.", ShadowReport::mirrored);
    counter(out, reports, "mlserve_shadow_dropped_total",
        "Sampled copies dropped because the shadow's queue was full.", ShadowReport::dropped);
    counter(out, reports, "mlserve_shadow_compared_total",
        "Shadow answers compared with the primary's.", ShadowReport::compared);
    counter(out, reports, "mlserve_shadow_errors_total",
        "Copies the shadow refused or failed (never returned to a client).",
        ShadowReport::errors);
    counter(out, reports, "mlserve_shadow_timeouts_total",
        "Copies the shadow did not answer within its deadline.", ShadowReport::timeouts);
    PrometheusText.header(out, "mlserve_shadow_queued", "gauge",
        "Copies waiting for the shadow now.");
    for (ShadowReport r : reports) {
      line(out, "mlserve_shadow_queued", r, null, r.queued());
    }
    PrometheusText.header(out, "mlserve_shadow_agreement_ratio", "gauge",
        "Share of compared requests whose outputs all agree within atol + rtol * |primary|.");
    for (ShadowReport r : reports) {
      if (r.agreementRatio() != null) {
        line(out, "mlserve_shadow_agreement_ratio", r, null, r.agreementRatio());
      }
    }
    perOutput(out, reports, "mlserve_shadow_abs_diff_max",
        "Largest |shadow - primary| over the elements of each output.",
        ShadowReport.Output::maxAbsDiff);
    perOutput(out, reports, "mlserve_shadow_abs_diff_mean",
        "Mean |shadow - primary| over the elements of each output.",
        ShadowReport.Output::meanAbsDiff);
    perOutput(out, reports, "mlserve_shadow_rel_diff_mean",
        "Mean |shadow - primary| / |primary| over the elements of each output whose primary"
            + " value is not 0.", ShadowReport.Output::meanRelDiff);
    PrometheusText.header(out, "mlserve_shadow_latency_seconds", "gauge",
        "Latency percentiles (p50, p95, p99) of the shadow's answers, from their submission.");
    for (ShadowReport r : reports) {
      Double[] q = {r.p50Ms(), r.p95Ms(), r.p99Ms()};
      for (int i = 0; i < q.length; i++) {
        if (q[i] != null) {
          line(out, "mlserve_shadow_latency_seconds", r,
              "percentile=\"" + PERCENTILES[i] + "\"", q[i] / 1000);
        }
      }
    }
    return out.toString();
  }

  private static void counter(StringBuilder out, List<ShadowReport> reports, String name,
      String help, ToLongFunction<ShadowReport> value) {
    PrometheusText.header(out, name, "counter", help);
    for (ShadowReport r : reports) {
      line(out, name, r, null, value.applyAsLong(r));
    }
  }

  private static void perOutput(StringBuilder out, List<ShadowReport> reports, String name,
      String help, Function<ShadowReport.Output, Double> value) {
    PrometheusText.header(out, name, "gauge", help);
    for (ShadowReport r : reports) {
      for (ShadowReport.Output o : r.outputs()) {
        Double v = value.apply(o);
        if (v != null) {
          line(out, name, r, "output=\"" + PrometheusText.escape(o.name()) + "\"", v);
        }
      }
    }
  }

  private static void line(StringBuilder out, String name, ShadowReport r, String extra,
      double value) {
    out.append(name).append("{model=\"").append(PrometheusText.escape(r.model()))
        .append("\",version=\"").append(PrometheusText.escape(r.version())).append('"');
    if (extra != null) {
      out.append(',').append(extra);
    }
    out.append("} ").append(Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
        : PrometheusText.num(value)).append('\n');
  }
}
