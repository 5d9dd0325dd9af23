package io.mlserve.server.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaProbeLoggingTest {
  private static final ClassLoader CLASSPATH = CudaProbeLoggingTest.class.getClassLoader();

  @TempDir Path tmp;

  /** A class loader that sees the test classpath plus one more libtorch build of a flavor. */
  private ClassLoader withBuild(String flavor) throws Exception {
    Path props = tmp.resolve(flavor + "/native/lib/pytorch.properties");
    Files.createDirectories(props.getParent());
    Files.writeString(props, "version=2.7.1\nflavor=" + flavor + "\n");
    return new URLClassLoader(new URL[] {tmp.resolve(flavor).toUri().toURL()}, CLASSPATH);
  }

  @Test
  void quietsTheProbeWhenOnlyTheCpuLibtorchIsPresent() {
    Properties p = new Properties();
    assertTrue(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of(), p, CLASSPATH));
    assertEquals("error", p.getProperty(CudaProbeLogging.LEVEL_PROPERTY));
    Properties cpuAsked = new Properties();
    assertTrue(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of("PYTORCH_FLAVOR", "cpu"), cpuAsked,
        CLASSPATH));
  }

  @Test
  void leavesTheWarningsWhereAGpuBuildCouldBeUsed() throws Exception {
    Properties p = new Properties();
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of(), p, withBuild("cu128")));
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of("PYTORCH_FLAVOR", "cu128"), p,
        CLASSPATH));
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of("PYTORCH_LIBRARY_PATH", "/opt/t"), p,
        CLASSPATH));
    Properties sys = new Properties();
    sys.setProperty("PYTORCH_FLAVOR", "cu128");
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of(), sys, CLASSPATH));
    assertNull(p.getProperty(CudaProbeLogging.LEVEL_PROPERTY));
    // No libtorch at all: nothing to judge by.
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of(), p,
        new URLClassLoader(new URL[0], null)));
  }

  @Test
  void aLevelTheUserSetIsKept() {
    Properties p = new Properties();
    p.setProperty(CudaProbeLogging.LEVEL_PROPERTY, "debug");
    assertFalse(CudaProbeLogging.quietOnCpuOnlyBuild(Map.of(), p, CLASSPATH));
    assertEquals("debug", p.getProperty(CudaProbeLogging.LEVEL_PROPERTY));
  }
}
