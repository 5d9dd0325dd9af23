package io.mlserve.server.alerts;

import java.util.List;

/**
 * Reports the memory of the GPUs the served models use, best effort: an implementation that
 * cannot tell (no CUDA, no GPU in use) answers an empty list and never throws. Implementations
 * are thread-safe.
 */
@FunctionalInterface
public interface GpuProbe {
  /** Reports nothing (no GPU). */
  GpuProbe NONE = List::of;

  /** One GPU's memory: bytes in use (by any process) and in all. */
  record Gpu(int device, long usedBytes, long totalBytes) {}

  /** The GPUs in use now, by device index. */
  List<Gpu> devices();
}
