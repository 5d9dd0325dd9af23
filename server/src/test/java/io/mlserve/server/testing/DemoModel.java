package io.mlserve.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Locates the committed curve_forecaster demo model and its reference examples. */
public final class DemoModel {
  private DemoModel() {}

  /** The repository's examples/curve_forecaster directory. */
  public static Path dir() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      Path candidate = p.resolve("examples/curve_forecaster");
      if (Files.isRegularFile(candidate.resolve("model.json"))) {
        return candidate;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("examples/curve_forecaster not found above the working dir");
  }

  /** The repository root. */
  public static Path repoRoot() {
    return dir().getParent().getParent();
  }

  /**
   * Opens a store in {@code dir} holding the demo model's version 1.0.0 in Production (no
   * validation: the server under test loads it).
   */
  public static ModelStore productionStore(Path dir) {
    ModelStore store = ModelStore.open(dir);
    try (EventLog events = EventLog.open(store.root())) {
      ModelRegistry registry =
          new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
      registry.register(RegisterRequest.fromManifestFile(dir().resolve("model.json"), "test"));
      registry.promote("curve_forecaster", "1.0.0", Stage.PRODUCTION, "test", "test set-up");
    }
    return store;
  }

  public static JsonNode examples() throws IOException {
    return new ObjectMapper().readTree(dir().resolve("examples.json").toFile());
  }

  public static float[] row(JsonNode rows, int r) {
    JsonNode row = rows.get(r);
    float[] f = new float[row.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = row.get(i).floatValue();
    }
    return f;
  }

  /** The first golden input row as a [1, 24] tensor, its first value replaced by {@code first}. */
  public static io.mlserve.server.tensor.Tensor row(float first) throws IOException {
    float[] v = new float[24];
    JsonNode in = examples().get("inputs").get(0);
    for (int i = 0; i < 24; i++) {
      v[i] = (float) in.get(i).asDouble();
    }
    v[0] = first;
    return io.mlserve.server.tensor.Tensor.ofFloats("curve", new long[] {1, 24}, v);
  }
}
