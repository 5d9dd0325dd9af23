package io.mlserve.server.alerts;

import io.mlserve.server.metrics.PrometheusText;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * The process's CPU and memory use and their limits, and the GPUs' memory (best effort):
 *
 * <ul>
 *   <li>CPU limit: the cgroup quota in cores where there is one, never more than the processors
 *       the JVM may use; else those processors. CPU use is the process's CPU time
 *       ({@code OperatingSystemMXBean.getProcessCpuTime}), so utilisation is CPU seconds per
 *       second over a window divided by the limit;
 *   <li>memory limit: the cgroup limit where there is one, never more than the machine's
 *       physical memory; else that. Memory use is the resident set ({@code VmRSS}, native torch
 *       memory included), as {@code process_resident_memory_bytes} exports it;
 *   <li>GPUs: what the {@link GpuProbe} reports.
 * </ul>
 *
 * This class is thread-safe.
 */
public final class ResourceUsage {
  private final CgroupLimits cgroups;
  private final LongSupplier cpuNanos;
  private final LongSupplier residentBytes;
  private final long physicalBytes;
  private final int processors;
  private final GpuProbe gpus;
  private final LongSupplier nanoTime;
  // @GuardedBy("this"): the CPU sample the recent utilisation is measured from
  private long lastAtNanos = Long.MIN_VALUE;
  private long lastCpuNanos;
  private double lastUtilization = Double.NaN;

  /**
   * @param cpuNanos the process's CPU time so far, ns (negative: unknown)
   * @param residentBytes the process's resident memory (negative: unknown)
   * @param physicalBytes the machine's physical memory
   * @param processors the processors the JVM may use
   * @param nanoTime a monotonic clock, ns
   */
  public ResourceUsage(CgroupLimits cgroups, LongSupplier cpuNanos, LongSupplier residentBytes,
      long physicalBytes, int processors, GpuProbe gpus, LongSupplier nanoTime) {
    this.cgroups = Objects.requireNonNull(cgroups, "cgroups");
    this.cpuNanos = Objects.requireNonNull(cpuNanos, "cpuNanos");
    this.residentBytes = Objects.requireNonNull(residentBytes, "residentBytes");
    this.physicalBytes = physicalBytes;
    this.processors = Math.max(1, processors);
    this.gpus = Objects.requireNonNull(gpus, "gpus");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** This process on this machine. */
  public static ResourceUsage system(GpuProbe gpus) {
    var os = ManagementFactory.getOperatingSystemMXBean();
    LongSupplier cpu = () -> -1;
    long physical = Long.MAX_VALUE;
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      cpu = sun::getProcessCpuTime;
      physical = sun.getTotalMemorySize();
    }
    return new ResourceUsage(CgroupLimits.system(), cpu, PrometheusText::residentBytes, physical,
        Runtime.getRuntime().availableProcessors(), gpus, System::nanoTime);
  }

  /** CPU cores the process may use: the cgroup quota, at most the available processors. */
  public double cpuLimitCores() {
    OptionalDouble quota = cgroups.cpuCores();
    return quota.isPresent() ? Math.min(quota.getAsDouble(), processors) : processors;
  }

  /** Bytes of memory the process may use: the cgroup limit, at most the physical memory. */
  public long memoryLimitBytes() {
    var limit = cgroups.memoryBytes();
    return limit.isPresent() ? Math.min(limit.getAsLong(), physicalBytes) : physicalBytes;
  }

  /** The process's CPU time so far, ns; negative when unknown. */
  public long processCpuNanos() {
    return cpuNanos.getAsLong();
  }

  /** The process's resident memory, bytes; negative when unknown. */
  public long residentBytes() {
    return residentBytes.getAsLong();
  }

  /** Resident memory over the memory limit, 0..1; empty when unknown. */
  public OptionalDouble memoryUtilization() {
    long rss = residentBytes();
    long limit = memoryLimitBytes();
    return rss < 0 || limit <= 0 || limit == Long.MAX_VALUE ? OptionalDouble.empty()
        : OptionalDouble.of((double) rss / limit);
  }

  /**
   * CPU seconds per second over the limit between two moments, 0..1 (more when the quota is
   * exceeded within a period); empty when the time did not advance or CPU time is unknown.
   */
  public OptionalDouble cpuUtilization(long cpuNanosBefore, long atNanosBefore,
      long cpuNanosAfter, long atNanosAfter) {
    if (cpuNanosBefore < 0 || cpuNanosAfter < 0 || atNanosAfter <= atNanosBefore) {
      return OptionalDouble.empty();
    }
    double cores = (double) Math.max(0, cpuNanosAfter - cpuNanosBefore)
        / (atNanosAfter - atNanosBefore);
    return OptionalDouble.of(cores / cpuLimitCores());
  }

  /**
   * CPU utilisation since the previous call that measured (at least 1 s before), shared by all
   * callers (each scrape of {@code /metrics}); the last measured value between those; empty
   * until two calls 1 s apart.
   */
  public synchronized OptionalDouble recentCpuUtilization() {
    long now = nanoTime.getAsLong();
    long cpu = processCpuNanos();
    if (lastAtNanos == Long.MIN_VALUE) {
      lastAtNanos = now;
      lastCpuNanos = cpu;
    } else if (now - lastAtNanos >= 1_000_000_000L) {
      OptionalDouble u = cpuUtilization(lastCpuNanos, lastAtNanos, cpu, now);
      lastUtilization = u.isPresent() ? u.getAsDouble() : Double.NaN;
      lastAtNanos = now;
      lastCpuNanos = cpu;
    }
    return Double.isNaN(lastUtilization) ? OptionalDouble.empty()
        : OptionalDouble.of(lastUtilization);
  }

  /** The GPUs in use and their memory (empty without a GPU, or where it cannot be read). */
  public List<GpuProbe.Gpu> gpus() {
    return gpus.devices();
  }
}
