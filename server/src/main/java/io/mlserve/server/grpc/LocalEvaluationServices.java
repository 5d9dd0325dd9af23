package io.mlserve.server.grpc;

import io.grpc.ServerServiceDefinition;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.EngineServices;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The {@link java.util.ServiceLoader} provider of {@link EngineServices} (listed in
 * {@code META-INF/services}): the Evaluations service with the server's engine (DJL), no
 * serving overrides and no token, so that {@code mlctl --store evaluate} run on the server's
 * classpath ({@code bin/mlctl}) evaluates exactly as a server does. Thread-safe.
 */
public final class LocalEvaluationServices implements EngineServices {
  @Override
  public Bound bind(ModelRegistry registry, Clock clock) {
    ModelLoader loader = new ModelLoader(Engines.all(), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    EvaluationRunner runner = new EvaluationRunner(registry,
        new DatasetStore(registry, clock, DatasetLimits.defaults()), loader, clock,
        Ticker.system(), EvaluationRunner.DEFAULT_TIME_LIMIT, 0);
    ServerServiceDefinition service = EvaluationsGrpcService.definition(runner, null);
    return new Bound() {
      @Override
      public List<ServerServiceDefinition> services() {
        return List.of(service);
      }

      @Override
      public void close() {
        runner.close();
      }
    };
  }
}
