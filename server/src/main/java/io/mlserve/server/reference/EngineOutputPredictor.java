package io.mlserve.server.reference;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.drift.OutputPredictor;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.evaluation.EnginePredictor;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Answers a version's outputs on reference rows through the real engine: each {@link #open}
 * loads a dedicated background instance ({@link ModelLoader#loadBackground}: one instance, one
 * thread, lowest CPU priority, its own metrics, so profiling never counts as the version's
 * traffic), and the session's batches run on it in chunks of its max batch size, two queued at
 * a time. Closing the session frees the instance.
 *
 * <p>Also the {@link java.util.ServiceLoader} provider of {@link OutputPredictor} (listed in
 * {@code META-INF/services}), so the admin services of a server, and {@code mlctl --store} run
 * on the server's classpath ({@code bin/mlctl}), profile outputs. Thread-safe; a session is
 * used by one thread.
 */
public final class EngineOutputPredictor implements OutputPredictor {
  /** How long one batch of reference rows may take on the engine. */
  static final Duration BATCH_TIMEOUT = Duration.ofMinutes(5);

  private final ModelLoader loader;
  private final Ticker ticker;

  /** With the server's engines (DJL) and no serving overrides: what the ServiceLoader uses. */
  public EngineOutputPredictor() {
    this(new ModelLoader(Engines.all(), Ticker.system(), Function.identity(),
        new MetricsRegistry(), Telemetry.disabled()), Ticker.system());
  }

  public EngineOutputPredictor(ModelLoader loader, Ticker ticker) {
    this.loader = Objects.requireNonNull(loader, "loader");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  @Override
  public Session open(Path versionDir, Manifest manifest) throws Exception {
    ServedModel m = loader.loadBackground(versionDir, manifest);
    return new Session() {
      @Override
      public List<double[]> predict(DatasetBatch batch) throws Exception {
        Tensor[] outs = EnginePredictor.outputs(m, batch, ticker, BATCH_TIMEOUT.toNanos(),
            EnginePredictor.QUEUED_CHUNKS);
        List<double[]> values = new ArrayList<>(outs.length);
        for (Tensor t : outs) {
          if (t.dataType().isFixedSize()) { // BYTES outputs have no features to profile
            values.add(EnginePredictor.doubles(t));
          }
        }
        return values;
      }

      @Override
      public void close() {
        m.close();
      }
    };
  }
}
