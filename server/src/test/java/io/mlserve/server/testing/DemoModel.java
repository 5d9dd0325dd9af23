package io.mlserve.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
