package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link DriftMonitor#offer} allocates on the serving thread, counted by the JVM per thread
 * (HotSpot's {@code getThreadAllocatedBytes}: bytes, not time, so the figure does not depend on
 * the machine's load). Any object is at least 16 bytes, so fewer bytes than calls over many
 * calls proves that a call allocates nothing.
 */
@Timeout(60)
class DriftOfferCostTest {
  private static final int CALLS = 100_000;

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static long bytesPerCall(DriftMonitor d, List<Tensor> in, Tensor[] out) {
    for (int i = 0; i < CALLS; i++) { // warm up so that the figure is the compiled code's
      d.offer("m", "1.0.0", DriftSamplerTest.CURVE, in, out);
    }
    long before = allocated();
    for (int i = 0; i < CALLS; i++) {
      d.offer("m", "1.0.0", DriftSamplerTest.CURVE, in, out);
    }
    return (allocated() - before) / CALLS;
  }

  private static DriftMonitor monitor(int sampleEvery) {
    DriftConfig d = DriftConfig.defaults();
    return new DriftMonitor(new DriftConfig(sampleEvery, 4, 1000, d.maxWindowValues(),
        Duration.ofSeconds(30), 1000, 100, 0.2, 10, 100, 30), Clock.systemUTC(),
        (m, v) -> Optional.empty(), (m, v) -> Optional.empty(), (m, v) -> true, m -> true);
  }

  @Test
  void aSampledRequestAllocatesNothing() {
    Tensor t = Tensor.ofFloats("curve", new long[] {8, 24}, new float[8 * 24]);
    DriftMonitor d = monitor(1);
    long bytes = bytesPerCall(d, List.of(t), new Tensor[] {t.renamed("forecast")});
    assertTrue(bytes == 0, "a sampled offer allocated " + bytes + " bytes per call");
    assertEquals(2L * CALLS * 4, d.report("m", "1.0.0").versions().get(0).sampledRows());
  }

  @Test
  void aRequestOutsideTheSampleAllocatesNothing() {
    Tensor t = Tensor.ofFloats("curve", new long[] {1, 24}, new float[24]);
    long bytes = bytesPerCall(monitor(100), List.of(t), new Tensor[] {t.renamed("forecast")});
    assertTrue(bytes == 0, "a skipped offer allocated " + bytes + " bytes per call");
  }
}
