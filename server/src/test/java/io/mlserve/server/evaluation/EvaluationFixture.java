package io.mlserve.server.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A store for evaluation tests: the demo model as 1.0.0 (Production) and the committed fixture
 * that answers the demo's output + 0.5 as 2.0.0, and a JSONL dataset {@value #DATASET} of
 * {@link #ROWS} rows: the golden inputs in turn, labelled with the golden output plus
 * {@link #noise}, so metrics can be computed in the test from the golden outputs. The real
 * DJL engine runs them. Not thread-safe; one per test.
 */
public final class EvaluationFixture implements AutoCloseable {
  public static final String MODEL = "curve_forecaster";
  public static final String DATASET = "golden";
  public static final int ROWS = 50;
  public static final double SHIFT = 0.5; // canary_diverging.pt: demo + 0.5
  static final Path FIXTURES = Path.of("src/test/resources/models");

  public final ModelStore store;
  public final EventLog events;
  public final ModelRegistry registry;
  public final DatasetStore datasets;
  private final boolean ownsEvents;
  final ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
      Function.identity(), new MetricsRegistry(), Telemetry.disabled());
  final JsonNode examples;

  public EvaluationFixture(Path dir) throws Exception {
    this(openRegistry(dir), true);
  }

  /** The models and the dataset written through {@code registry} (whose log the caller closes). */
  public EvaluationFixture(ModelRegistry registry) throws Exception {
    this(registry, false);
  }

  private static ModelRegistry openRegistry(Path dir) {
    ModelStore store = ModelStore.open(dir);
    return new ModelRegistry(store, EventLog.open(store.root()), ArtifactValidator.none(),
        Clock.systemUTC());
  }

  private EvaluationFixture(ModelRegistry registry, boolean ownsEvents) throws Exception {
    this.registry = registry;
    this.store = registry.store();
    this.events = registry.events();
    this.ownsEvents = ownsEvents;
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "test");
    registry.register(demo);
    registry.register(new RegisterRequest(demo.model(), "2.0.0",
        FIXTURES.toAbsolutePath().resolve("canary_diverging.pt"), demo.format(), demo.signature(),
        demo.serving(), null, demo.params(), demo.metrics(), "demo + 0.5", null, "test"));
    registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "set-up");
    datasets = new DatasetStore(registry, Clock.systemUTC(), DatasetLimits.defaults());
    examples = DemoModel.examples();
    StringBuilder jsonl = new StringBuilder();
    for (int r = 0; r < ROWS; r++) {
      jsonl.append("{\"input\": ").append(array(input(r))).append(", \"label\": ")
          .append(array(label(r))).append("}\n");
    }
    datasets.add(MODEL, DATASET, DatasetFormat.JSONL,
        new ByteArrayInputStream(jsonl.toString().getBytes(StandardCharsets.UTF_8)), null,
        "test");
  }

  public EvaluationRunner runner(Ticker ticker, Duration limit, int maxQueued) {
    return new EvaluationRunner(registry, datasets, loader, Clock.systemUTC(), ticker, limit,
        maxQueued);
  }

  float[] input(int r) {
    return DemoModel.row(examples.get("inputs"), r % examples.get("inputs").size());
  }

  /** The demo model's answer for row {@code r} (its golden output). */
  float[] golden(int r) {
    return DemoModel.row(examples.get("outputs"), r % examples.get("outputs").size());
  }

  /** A deterministic label offset in [-1, 1]. */
  static double noise(int r, int i) {
    return Math.sin(r * 7.0 + i * 0.3);
  }

  double[] label(int r) {
    float[] g = golden(r);
    double[] l = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      l[i] = Math.round((g[i] + noise(r, i)) * 1e6) / 1e6; // as written to the file
    }
    return l;
  }

  /** MAE and RMSE of a version answering golden + {@code shift} against the labels. */
  public double[] maeRmse(double shift) {
    double abs = 0;
    double sq = 0;
    int n = 0;
    for (int r = 0; r < ROWS; r++) {
      float[] g = golden(r);
      double[] l = label(r);
      for (int i = 0; i < g.length; i++) {
        double err = g[i] + shift - l[i];
        abs += Math.abs(err);
        sq += err * err;
        n++;
      }
    }
    return new double[] {abs / n, Math.sqrt(sq / n)};
  }

  private static String array(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return sb.append(']').toString();
  }

  private static String array(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", v[i]));
    }
    return sb.append(']').toString();
  }

  @Override
  public void close() {
    if (ownsEvents) {
      events.close();
    }
  }
}
