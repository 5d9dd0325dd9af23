package io.mlserve.server.engine;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Parses a manifest's {@code serving.device}: {@code cpu}, {@code gpu}, {@code gpuN},
 * {@code gpu:N} or {@code cuda:N}. Stateless; thread-safe.
 */
public final class DeviceNames {
  private DeviceNames() {}

  /**
   * The GPU index a device name asks for, or empty for the CPU.
   *
   * @throws IllegalArgumentException naming the value and the accepted spellings
   */
  public static OptionalInt gpuIndex(String name) {
    String d = name == null ? "cpu" : name.trim().toLowerCase(Locale.ROOT);
    if (d.isEmpty() || d.equals("cpu")) {
      return OptionalInt.empty();
    }
    String digits = null;
    if (d.equals("gpu") || d.equals("cuda")) {
      digits = "0";
    } else if (d.startsWith("gpu:") || d.startsWith("cuda:")) {
      digits = d.substring(d.indexOf(':') + 1);
    } else if (d.startsWith("gpu")) {
      digits = d.substring(3);
    }
    if (digits != null && digits.matches("\\d{1,3}")) {
      return OptionalInt.of(Integer.parseInt(digits));
    }
    throw new IllegalArgumentException(
        "unknown device '" + name + "' (expected cpu, gpu, gpuN, gpu:N or cuda:N)");
  }

  /** The canonical name of a device: {@code cpu} or {@code gpuN}. */
  public static String canonical(String name) {
    OptionalInt gpu = gpuIndex(name);
    return gpu.isPresent() ? "gpu" + gpu.getAsInt() : "cpu";
  }
}
