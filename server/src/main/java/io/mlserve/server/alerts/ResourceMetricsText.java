package io.mlserve.server.alerts;

import io.mlserve.server.metrics.PrometheusText;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The resource part of {@code /metrics} (Prometheus text format 0.0.4), what the process
 * alert rules read: {@value SignalNames#METRIC_CPU_LIMIT_CORES} and
 * {@value SignalNames#METRIC_MEMORY_LIMIT_BYTES} (the cgroup limits, else the machine's),
 * {@code mlserve_cpu_utilization_ratio} (CPU over the limit between the last two scrapes at
 * least 1 s apart), {@code mlserve_memory_utilization_ratio} (resident memory over the limit),
 * and per GPU in use (label {@code device}, e.g. {@code gpu0})
 * {@value SignalNames#METRIC_GPU_MEMORY_USED} and {@value SignalNames#METRIC_GPU_MEMORY_TOTAL}.
 * A figure that cannot be read is left out. GPU busy time
 * ({@value SignalNames#METRIC_GPU_UTILIZATION}) is not exported: see {@link DjlGpuProbe}.
 *
 * <p>This class is thread-safe; each call renders a fresh snapshot.
 */
public final class ResourceMetricsText {
  public static final String CPU_UTILIZATION = "mlserve_cpu_utilization_ratio";
  public static final String MEMORY_UTILIZATION = "mlserve_memory_utilization_ratio";

  private final ResourceUsage usage;

  public ResourceMetricsText(ResourceUsage usage) {
    this.usage = Objects.requireNonNull(usage, "usage");
  }

  /** The resource families, each with its HELP and TYPE lines. */
  public String render() {
    StringBuilder out = new StringBuilder(1024);
    gauge(out, SignalNames.METRIC_CPU_LIMIT_CORES,
        "CPU cores the process may use: the cgroup quota, else the available processors.",
        usage.cpuLimitCores());
    long memory = usage.memoryLimitBytes();
    if (memory < Long.MAX_VALUE) {
      gauge(out, SignalNames.METRIC_MEMORY_LIMIT_BYTES,
          "Memory the process may use: the cgroup limit, else the machine's physical memory.",
          memory);
    }
    optional(out, CPU_UTILIZATION, "Process CPU over the CPU limit between the last two scrapes"
        + " (at least 1 s apart).", usage.recentCpuUtilization());
    optional(out, MEMORY_UTILIZATION, "Resident memory over the memory limit.",
        usage.memoryUtilization());
    List<GpuProbe.Gpu> gpus = usage.gpus();
    if (!gpus.isEmpty()) {
      PrometheusText.header(out, SignalNames.METRIC_GPU_MEMORY_USED, "gauge",
          "GPU memory in use (by any process), per device a served model uses.");
      gpus.forEach(g -> device(out, SignalNames.METRIC_GPU_MEMORY_USED, g, g.usedBytes()));
      PrometheusText.header(out, SignalNames.METRIC_GPU_MEMORY_TOTAL, "gauge",
          "GPU memory in all, per device a served model uses.");
      gpus.forEach(g -> device(out, SignalNames.METRIC_GPU_MEMORY_TOTAL, g, g.totalBytes()));
    }
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, double value) {
    if (!Double.isFinite(value)) {
      return;
    }
    PrometheusText.header(out, name, "gauge", help);
    out.append(name).append(' ').append(PrometheusText.num(value)).append('\n');
  }

  private static void optional(StringBuilder out, String name, String help, OptionalDouble v) {
    if (v.isPresent()) {
      gauge(out, name, help, v.getAsDouble());
    }
  }

  private static void device(StringBuilder out, String name, GpuProbe.Gpu g, long value) {
    out.append(name).append("{device=\"gpu").append(g.device()).append("\"} ").append(value)
        .append('\n');
  }
}
