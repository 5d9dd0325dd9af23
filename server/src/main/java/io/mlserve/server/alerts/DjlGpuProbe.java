package io.mlserve.server.alerts;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU memory through DJL's CUDA runtime binding ({@code ai.djl.util.cuda.CudaUtils}:
 * {@code cudaGetDeviceCount}, {@code cudaMemGetInfo}), for the devices the served models name
 * ({@code gpu}, {@code gpuN}, {@code gpu:N}, {@code cuda:N} in their manifests). Nothing is
 * asked of CUDA while no served model names a GPU, so a CPU-only server never loads the CUDA
 * runtime for this, and no CUDA context is created on a device no model uses. The first failure
 * (no libcudart, no driver) switches the probe off for good and is logged once at debug.
 * Utilisation (busy time) is not available: the CUDA runtime has no call for it (NVML has,
 * and DJL does not bind NVML). This class is thread-safe.
 */
public final class DjlGpuProbe implements GpuProbe {
  private static final Logger log = LoggerFactory.getLogger(DjlGpuProbe.class);
  private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?::?(\\d+))?");

  private final Supplier<? extends Collection<String>> devices;
  private volatile boolean off;

  /** @param devices the device names of the served models' manifests (any case) */
  public DjlGpuProbe(Supplier<? extends Collection<String>> devices) {
    this.devices = Objects.requireNonNull(devices, "devices");
  }

  /** The GPU index a manifest device names, or -1 for the CPU or anything else. */
  static int gpuIndex(String device) {
    if (device == null) {
      return -1;
    }
    Matcher m = GPU.matcher(device.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    try {
      return m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public List<Gpu> devices() {
    if (off) {
      return List.of();
    }
    TreeSet<Integer> used = new TreeSet<>();
    for (String d : devices.get()) {
      int i = gpuIndex(d);
      if (i >= 0) {
        used.add(i);
      }
    }
    if (used.isEmpty()) {
      return List.of();
    }
    try {
      int count = CudaUtils.getGpuCount();
      List<Gpu> out = new ArrayList<>();
      for (int i : used) {
        if (i < count) {
          MemoryUsage m = CudaUtils.getGpuMemory(Device.gpu(i));
          out.add(new Gpu(i, m.getUsed(), m.getMax()));
        }
      }
      return out;
    } catch (RuntimeException | LinkageError e) { // e.g. "No cuda library is loaded"
      off = true;
      log.debug("GPU memory is not reported: {}", e.toString());
      return List.of();
    }
  }
}
