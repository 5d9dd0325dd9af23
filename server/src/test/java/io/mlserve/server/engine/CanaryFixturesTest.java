package io.mlserve.server.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout fixtures (src/test/resources/models/make_fixtures.py) load in the real engine and
 * behave as described: canary_errors answers like the demo but fails a batch with a negative
 * first value; canary_slow answers exactly like the demo; canary_diverging answers the demo's
 * outputs + 0.5 (registered without golden examples, which it would fail).
 */
class CanaryFixturesTest {
  private static final Path FIXTURES = Path.of("src/test/resources/models");
  private static final String MODEL = "curve_forecaster";

  @TempDir Path dir;

  private static Tensor row(float first) throws Exception {
    return DemoModel.row(first);
  }

  private static float[] run(ServerFixture f, String version, Tensor x) throws Exception {
    return f.server.inference().infer(ModelRef.fromVersionField(MODEL, version), List.of(x),
        RequestContext.of(Long.MAX_VALUE, "test")).get(60, TimeUnit.SECONDS).outputs()[0]
        .toFloats();
  }

  @Test
  void theFixturesLoadAndBehaveAsDescribed() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), false)) {
      f.registerDemo("1.0.0", true);
      Path examples = DemoModel.dir().resolve("examples.json");
      f.registerArtifact("2.0.0", FIXTURES.resolve("canary_errors.pt"), examples);
      f.registerArtifact("3.0.0", FIXTURES.resolve("canary_slow.pt"), examples);
      f.registerArtifact("4.0.0", FIXTURES.resolve("canary_diverging.pt"), null);
      for (String v : List.of("1.0.0", "2.0.0", "3.0.0", "4.0.0")) {
        f.registry.promote(MODEL, v, Stage.PRODUCTION, "test", "load " + v);
      }
      f.server.start(); // 4.0.0 in Production; the others Deprecated, loaded on demand
      float[] demo = run(f, "1.0.0", row(60));
      float[] errorsOk = run(f, "2.0.0", row(60));
      float[] slow = run(f, "3.0.0", row(60));
      float[] diverging = run(f, "4.0.0", row(60));
      for (int i = 0; i < 24; i++) {
        assertEquals(demo[i], errorsOk[i], 1e-5);
        assertEquals(demo[i], slow[i], 1e-5);
        assertEquals(demo[i] + 0.5, diverging[i], 1e-4);
      }
      ExecutionException e = assertThrows(ExecutionException.class, () -> run(f, "2.0.0",
          row(-1)));
      InferenceException ie = assertInstanceOf(InferenceException.class, e.getCause());
      assertEquals(InferenceException.Kind.INTERNAL, ie.kind());
      assertTrue(ie.getMessage().contains("negative first value"), ie.getMessage());
    }
  }
}
