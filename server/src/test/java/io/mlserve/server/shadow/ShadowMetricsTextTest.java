package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.shadow.ShadowConfig;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.Promtool;
import io.mlserve.server.testing.Sockets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shadow families of /metrics, over a real shadow with a known divergence. */
class ShadowMetricsTextTest {
  @TempDir Path dir;

  private final Shadows shadows = new Shadows(Ticker.system(), Clock.systemUTC());
  private ServedModel shadow;

  @BeforeEach
  void setUp() throws Exception {
    shadow = new FakeModels(dir, Ticker.system(), new MetricsRegistry()).load("m", "2.0.0");
    shadows.start("m", shadow, ShadowConfig.of(1.0, 0.25, 0.125));
    // the shadow answers 2x = [2, 2, 2, 3]; the primary said [2, 2, 2, 2]: diffs 0, 0, 0, 1
    shadows.offer("m", "1.0.0", "r1",
        List.of(Tensor.ofFloats("x", new long[] {2, 2}, new float[] {1, 1, 1, 1.5f})),
        new Tensor[] {Tensor.ofFloats("y", new long[] {2, 2}, new float[] {2, 2, 2, 2})});
    Sockets.await(() -> shadows.report("m").compared() == 1, "the comparison");
  }

  @AfterEach
  void tearDown() {
    shadows.close();
    shadow.close();
  }

  @Test
  void rendersTheCountersDivergenceAndLatency() {
    String text = new ShadowMetricsText(shadows).render();
    String l = "{model=\"m\",version=\"2.0.0\"";
    for (String line : new String[] {
        "mlserve_shadow_mirrored_total" + l + "} 1",
        "mlserve_shadow_dropped_total" + l + "} 0",
        "mlserve_shadow_compared_total" + l + "} 1",
        "mlserve_shadow_errors_total" + l + "} 0",
        "mlserve_shadow_timeouts_total" + l + "} 0",
        "mlserve_shadow_queued" + l + "} 0",
        "mlserve_shadow_agreement_ratio" + l + "} 0",
        "mlserve_shadow_abs_diff_max" + l + ",output=\"y\"} 1",
        "mlserve_shadow_abs_diff_mean" + l + ",output=\"y\"} 0.25",
        "mlserve_shadow_rel_diff_mean" + l + ",output=\"y\"} 0.125"}) {
      assertTrue(text.contains(line + "\n"), line + " in\n" + text);
    }
    assertTrue(text.contains("mlserve_shadow_latency_seconds" + l + ",percentile=\"p99\"} "),
        text);
  }

  @Test
  void withoutShadowsOnlyTheHeadersRemain() {
    shadows.stop("m");
    String text = new ShadowMetricsText(shadows).render();
    assertFalse(text.contains("{"), text);
    assertTrue(text.contains("# TYPE mlserve_shadow_dropped_total counter"), text);
  }

  @Test
  void passesPromtool() throws Exception {
    Promtool.lint(new ShadowMetricsText(shadows).render(), "the shadow metrics");
  }
}
