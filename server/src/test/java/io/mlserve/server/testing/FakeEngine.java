package io.mlserve.server.testing;

import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An engine for one made-up format whose loaded versions make their runners with
 * {@code runners} and read nothing from disk: the engine of the tests' fake models.
 * Thread-safe if {@code runners} is.
 */
public final class FakeEngine implements InferenceEngine {
  private final String format;
  private final Supplier<? extends ModelRunner> runners;

  public FakeEngine(String format, Supplier<? extends ModelRunner> runners) {
    this.format = Objects.requireNonNull(format, "format");
    this.runners = Objects.requireNonNull(runners, "runners");
  }

  @Override
  public boolean supports(String f) {
    return format.equals(f);
  }

  @Override
  public LoadedModel load(Path versionDir, Manifest manifest) {
    return new LoadedModel() {
      @Override
      public ModelRunner newRunner(int intraOpThreads) {
        return runners.get();
      }

      @Override
      public void close() {}
    };
  }
}
