package io.mlserve.server.history;

import io.mlserve.server.metrics.PrometheusText;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Reads this process's figures as {@code /metrics} exports them (process CPU time, resident
 * memory, heap in use, GC time, live threads). Stateless; thread-safe.
 */
final class ProcessProbe {
  /** One reading; -1 where a figure cannot be read on this platform. */
  record Reading(long cpuNanos, long rssBytes, long heapBytes, long gcMillis, int threads) {}

  Reading read() {
    long cpu = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean sun) {
      cpu = sun.getProcessCpuTime();
    }
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, b.getCollectionTime());
    }
    return new Reading(cpu, PrometheusText.residentBytes(),
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), gc,
        ManagementFactory.getThreadMXBean().getThreadCount());
  }
}
