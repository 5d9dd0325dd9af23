package io.mlserve.server.testing;

import io.mlserve.server.core.ServerState;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.InferenceService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The serving entry point over fake model "m" (input "x" FP32 [-1, 2], output "y" = 2x) whose
 * every engine call takes exactly {@link #INFER_MS} ms of a {@link FakeTicker}, with the wall
 * clock fixed at {@link #NOW}: the statistics a request leaves behind are known to the
 * nanosecond. Versions 1.0.0 (Production) and 2.0.0 (loaded, not default) are served. Close it.
 */
public final class TimedFakeServing implements AutoCloseable {
  /** Each engine call advances the ticker this much. */
  public static final long INFER_MS = 3;
  /** The wall clock, as read for {@code last_inference}. */
  public static final Instant NOW = Instant.parse("2026-11-30T02:00:00Z");

  public final FakeTicker ticker = new FakeTicker();
  public final ModelRouter router;
  public final InferenceService service;
  public final ServerState state;
  public final ServedModel v1;
  public final ServedModel v2;

  public TimedFakeServing(Path dir) throws Exception {
    MetricsRegistry metrics = new MetricsRegistry(Clock.fixed(NOW, ZoneOffset.UTC));
    FakeModels models = new FakeModels(dir, ticker, metrics,
        () -> FakeRunner.taking(ticker, TimeUnit.MILLISECONDS.toNanos(INFER_MS)));
    router = new ModelRouter(metrics);
    v1 = models.load("m", "1.0.0");
    v2 = models.load("m", "2.0.0");
    router.put(v1, true);
    router.put(v2, false);
    service = new InferenceService(router, ticker);
    state = new ServerState(router::allDefaultsLoaded);
    state.markStarted();
  }

  @Override
  public void close() {
    v1.close();
    v2.close();
  }
}
