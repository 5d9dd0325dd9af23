package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits from fake cgroup v2, v1 and no cgroup trees; the exported gauges. */
class ResourceUsageTest {
  private static final long GIB = 1L << 30;

  @TempDir Path tmp;
  private final AtomicLong cpu = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private ResourceUsage usage(Path root, int processors, GpuProbe gpus) {
    return new ResourceUsage(new CgroupLimits(root, tmp.resolve("proc-self-cgroup")), cpu::get,
        () -> 2 * GIB, 16 * GIB, processors, gpus, nanos::get);
  }

  @Test
  void cgroupV2QuotaAndMemoryMaxOfTheProcessGroupAndItsAncestors() throws IOException {
    Path root = tmp.resolve("v2");
    write(root.resolve("cgroup.controllers"), "cpu memory\n");
    write(tmp.resolve("proc-self-cgroup"), "0::/kubepods/pod1/ctr\n");
    write(root.resolve("kubepods/pod1/ctr/cpu.max"), "max 100000\n");
    write(root.resolve("kubepods/pod1/cpu.max"), "150000 100000\n");
    write(root.resolve("kubepods/pod1/ctr/memory.max"), "max\n");
    write(root.resolve("kubepods/memory.max"), String.valueOf(8 * GIB));
    ResourceUsage u = usage(root, 8, GpuProbe.NONE);
    assertEquals(1.5, u.cpuLimitCores(), 0);
    assertEquals(8 * GIB, u.memoryLimitBytes());
    assertEquals(0.25, u.memoryUtilization().getAsDouble(), 0);
  }

  @Test
  void cgroupV2WithoutLimitsFallsBackToTheMachine() throws IOException {
    Path root = tmp.resolve("v2");
    write(root.resolve("cgroup.controllers"), "cpu memory\n");
    write(tmp.resolve("proc-self-cgroup"), "0::/\n");
    write(root.resolve("cpu.max"), "max 100000\n");
    write(root.resolve("memory.max"), "max\n");
    ResourceUsage u = usage(root, 6, GpuProbe.NONE);
    assertEquals(6, u.cpuLimitCores(), 0);
    assertEquals(16 * GIB, u.memoryLimitBytes());
  }

  @Test
  void cgroupV1QuotaAndLimitIgnoringTheKernelsNoLimitValue() throws IOException {
    Path root = tmp.resolve("v1");
    write(tmp.resolve("proc-self-cgroup"), "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n");
    write(root.resolve("cpu,cpuacct/docker/abc/cpu.cfs_quota_us"), "250000\n");
    write(root.resolve("cpu,cpuacct/docker/abc/cpu.cfs_period_us"), "100000\n");
    write(root.resolve("cpu,cpuacct/cpu.cfs_quota_us"), "-1\n");
    write(root.resolve("cpu,cpuacct/cpu.cfs_period_us"), "100000\n");
    write(root.resolve("memory/docker/abc/memory.limit_in_bytes"), String.valueOf(4 * GIB));
    write(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
    ResourceUsage u = usage(root, 8, GpuProbe.NONE);
    assertEquals(2.5, u.cpuLimitCores(), 0);
    assertEquals(4 * GIB, u.memoryLimitBytes());
    assertFalse(new CgroupLimits(root, tmp.resolve("proc-self-cgroup")).isV2());

    // Only the absurd value (no limit): the machine's memory.
    Files.delete(root.resolve("memory/docker/abc/memory.limit_in_bytes"));
    assertEquals(16 * GIB, u.memoryLimitBytes());
    // A quota above the processors the JVM may use is capped by them.
    assertEquals(2, usage(root, 2, GpuProbe.NONE).cpuLimitCores(), 0);
  }

  @Test
  void noCgroupAtAllIsTheMachine() {
    ResourceUsage u = usage(tmp.resolve("absent"), 3, GpuProbe.NONE);
    assertEquals(3, u.cpuLimitCores(), 0);
    assertEquals(16 * GIB, u.memoryLimitBytes());
  }

  @Test
  void aLimitAboveThePhysicalMemoryIsThePhysicalMemory() throws IOException {
    Path root = tmp.resolve("v2");
    write(root.resolve("cgroup.controllers"), "memory\n");
    write(root.resolve("memory.max"), String.valueOf(64 * GIB));
    assertEquals(16 * GIB, usage(root, 1, GpuProbe.NONE).memoryLimitBytes());
  }

  @Test
  void recentCpuUtilizationIsMeasuredBetweenReadsAtLeastOneSecondApart() throws IOException {
    Path root = tmp.resolve("v2");
    write(root.resolve("cgroup.controllers"), "cpu\n");
    write(root.resolve("cpu.max"), "200000 100000\n");
    ResourceUsage u = usage(root, 8, GpuProbe.NONE);
    assertTrue(u.recentCpuUtilization().isEmpty(), "the first read only starts measuring");
    cpu.addAndGet(1_000_000_000L);
    nanos.addAndGet(500_000_000L);
    assertTrue(u.recentCpuUtilization().isEmpty(), "half a second: not yet");
    nanos.addAndGet(500_000_000L);
    assertEquals(0.5, u.recentCpuUtilization().getAsDouble(), 1e-12); // 1 core of 2
    nanos.addAndGet(100_000_000L);
    assertEquals(0.5, u.recentCpuUtilization().getAsDouble(), 1e-12, "kept between");
  }

  @Test
  void exportedGaugesNameTheLimitsAndEachGpuInUse() throws Exception {
    Path root = tmp.resolve("v2");
    write(root.resolve("cgroup.controllers"), "cpu memory\n");
    write(root.resolve("cpu.max"), "50000 100000\n");
    write(root.resolve("memory.max"), String.valueOf(4 * GIB));
    GpuProbe gpus = () -> List.of(new GpuProbe.Gpu(1, 3 * GIB, 80 * GIB));
    ResourceUsage u = usage(root, 4, gpus);
    u.recentCpuUtilization();
    cpu.addAndGet(250_000_000L);
    nanos.addAndGet(1_000_000_000L);
    String text = new ResourceMetricsText(u).render();
    assertTrue(text.contains("\nmlserve_cpu_limit_cores 0.5\n"), text);
    assertTrue(text.contains("\nmlserve_memory_limit_bytes 4294967296\n"), text);
    assertTrue(text.contains("\nmlserve_cpu_utilization_ratio 0.5\n"), text);
    assertTrue(text.contains("\nmlserve_memory_utilization_ratio 0.5\n"), text);
    assertTrue(text.contains("\nmlserve_gpu_memory_used_bytes{device=\"gpu1\"} 3221225472\n"),
        text);
    assertTrue(text.contains("\nmlserve_gpu_memory_total_bytes{device=\"gpu1\"} 85899345920\n"),
        text);
    Promtool.lint(text, "ResourceUsageTest");
  }

  @Test
  void withoutGpusNoGpuFamilyIsWritten() {
    String text = new ResourceMetricsText(usage(tmp, 1, GpuProbe.NONE)).render();
    assertFalse(text.contains("gpu"), text);
  }

  @Test
  void theDjlProbeParsesManifestDevicesAndNeverThrows() {
    assertEquals(-1, DjlGpuProbe.gpuIndex("cpu"));
    assertEquals(0, DjlGpuProbe.gpuIndex("gpu"));
    assertEquals(3, DjlGpuProbe.gpuIndex("GPU3"));
    assertEquals(2, DjlGpuProbe.gpuIndex("gpu:2"));
    assertEquals(1, DjlGpuProbe.gpuIndex("cuda:1"));
    assertEquals(-1, DjlGpuProbe.gpuIndex("tpu0"));
    assertEquals(-1, DjlGpuProbe.gpuIndex(null));
    assertTrue(new DjlGpuProbe(() -> List.of("cpu")).devices().isEmpty());
    // On a machine without CUDA this answers nothing; with one, the devices it has.
    List<GpuProbe.Gpu> gpus = new DjlGpuProbe(() -> List.of("gpu0")).devices();
    for (GpuProbe.Gpu g : gpus) {
      assertTrue(g.totalBytes() > 0 && g.usedBytes() <= g.totalBytes(), g.toString());
    }
  }
}
