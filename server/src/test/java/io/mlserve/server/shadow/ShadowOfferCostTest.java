package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code offer} allocates on the caller's thread, counted by the JVM per thread (HotSpot's
 * {@code getThreadAllocatedBytes}: bytes, not time, so the figure does not depend on the load of
 * the machine). Any object is at least 16 bytes, so "fewer bytes than calls" over many calls
 * proves that a call allocates nothing.
 */
@Timeout(60)
class ShadowOfferCostTest {
  private static final int CALLS = 100_000;

  @TempDir Path dir;

  private final Shadows shadows = new Shadows(Ticker.system(), Clock.systemUTC());
  private final List<Tensor> in = List.of(Tensor.ofFloats("x", new long[] {1, 2}, new float[2]));
  private final Tensor[] out = {Tensor.ofFloats("y", new long[] {1, 2}, new float[2])};
  private final ControlledRunner runner = new ControlledRunner();
  private ServedModel shadow;

  @BeforeEach
  void setUp() throws Exception {
    shadow = new FakeModels(dir, Ticker.system(), new MetricsRegistry(), () -> runner)
        .load("m", "2.0.0");
  }

  @AfterEach
  void tearDown() {
    shadows.close();
    runner.release();
    shadow.close();
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private long bytesPerCall(String model, String[] ids) {
    for (String id : ids) { // warm up so that the figure is the compiled code's
      shadows.offer(model, "1.0.0", id, in, out);
    }
    long before = allocated();
    for (String id : ids) {
      shadows.offer(model, "1.0.0", id, in, out);
    }
    return (allocated() - before) / ids.length;
  }

  private static String[] ids(double rate, boolean sampled) {
    String[] ids = new String[CALLS];
    for (int i = 0, n = 0; n < CALLS; i++) {
      String id = "req-" + i;
      if (Sampler.sampled(id, rate) == sampled) {
        ids[n++] = id;
      }
    }
    return ids;
  }

  @Test
  void aModelWithoutAShadowCostsOneLookupAndNoAllocation() {
    long bytes = bytesPerCall("no-shadow", ids(1, true));
    assertTrue(bytes == 0, "no-shadow offer allocated " + bytes + " bytes per call");
  }

  @Test
  void aRequestOutsideTheSampleAllocatesNothing() {
    shadows.start("m", shadow, ShadowConfig.of(0.01, 1e-4, 1e-3));
    long bytes = bytesPerCall("m", ids(0.01, false));
    assertTrue(bytes == 0, "sampled-out offer allocated " + bytes + " bytes per call");
  }

  @Test
  void aDroppedRequestAllocatesNothing() throws Exception {
    // a hung shadow holds the one in-flight slot and the queue holds 1: every later copy drops
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(1, 1 << 20, 1)
        .withDeadline(Duration.ofHours(1)));
    runner.mode(ControlledRunner.Mode.BLOCK);
    shadows.offer("m", "1.0.0", "first", in, out);
    runner.awaitEntered(1);
    shadows.offer("m", "1.0.0", "queued", in, out);
    long bytes = bytesPerCall("m", ids(1, true));
    assertTrue(bytes == 0, "a dropped offer allocated " + bytes + " bytes per call");
  }

  @Test
  void aMirroredRequestAllocatesOneSmallQueueEntry() {
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(2 * CALLS, 1L << 30, 64));
    long bytes = bytesPerCall("m", ids(1, true));
    System.out.println("shadow offer, mirrored: " + bytes + " bytes per call on the caller");
    assertTrue(bytes <= 48, "a mirrored offer allocated " + bytes + " bytes per call");
  }
}
