package io.mlserve.server.engine.djl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Keeps DJL's CUDA probe quiet where it cannot matter. Whenever DJL detects the platform it asks
 * the CUDA runtime for the GPU count ({@code ai.djl.util.cuda.CudaUtils}, libcudart through JNA),
 * and on a machine that has the CUDA runtime but no usable driver it logs {@code WARN Failed to
 * detect GPU count: CUDA driver version is insufficient...} twice on every start. With only the
 * CPU build of libtorch on the classpath no GPU can be used whatever the probe says, so the
 * warning is noise: this sets that one logger to {@code error} (slf4j-simple's per-logger
 * property), and only when
 *
 * <ul>
 *   <li>every {@code native/lib/pytorch.properties} on the classpath says {@code flavor=cpu},
 *   <li>neither {@code PYTORCH_FLAVOR} nor {@code PYTORCH_LIBRARY_PATH} (environment or system
 *       property, as DJL reads them) points DJL at another libtorch, and
 *   <li>the user has not set that logger's level.
 * </ul>
 *
 * A model that asks for a GPU on such a build is still refused with its own error ("device gpu0
 * requested but this machine has 0 GPU(s)"), and DJL's other messages are untouched. Must run
 * before DJL's first log call. Stateless; thread-safe.
 */
public final class CudaProbeLogging {
  /** slf4j-simple's level property for DJL's CUDA probe. */
  public static final String LEVEL_PROPERTY =
      "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";

  private static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";

  private CudaProbeLogging() {}

  /**
   * Sets {@link #LEVEL_PROPERTY} to {@code error} in {@code systemProperties} when the
   * conditions in the class comment hold.
   *
   * @return whether it did
   */
  public static boolean quietOnCpuOnlyBuild(Map<String, String> env, Properties systemProperties,
      ClassLoader classLoader) {
    if (systemProperties.getProperty(LEVEL_PROPERTY) != null) {
      return false;
    }
    for (String override : List.of("PYTORCH_FLAVOR", "PYTORCH_LIBRARY_PATH")) {
      String v = systemProperties.getProperty(override, env.get(override));
      if (v != null && !v.isBlank()
          && !(override.equals("PYTORCH_FLAVOR") && v.trim().equalsIgnoreCase("cpu"))) {
        return false;
      }
    }
    if (!onlyCpuLibtorch(classLoader)) {
      return false;
    }
    systemProperties.setProperty(LEVEL_PROPERTY, "error");
    return true;
  }

  /** Whether the classpath holds libtorch builds and every one is the CPU flavor. */
  static boolean onlyCpuLibtorch(ClassLoader classLoader) {
    try {
      List<URL> builds = Collections.list(classLoader.getResources(NATIVE_PROPERTIES));
      if (builds.isEmpty()) {
        return false;
      }
      for (URL build : builds) {
        Properties p = new Properties();
        try (InputStream in = build.openStream()) {
          p.load(in);
        }
        if (!"cpu".equals(p.getProperty("flavor"))) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false; // cannot tell: leave DJL's warnings as they are
    }
  }
}
