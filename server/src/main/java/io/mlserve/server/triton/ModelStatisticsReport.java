package io.mlserve.server.triton;

import io.mlserve.proto.inference.InferBatchStatistics;
import io.mlserve.proto.inference.InferStatistics;
import io.mlserve.proto.inference.ModelStatistics;
import io.mlserve.proto.inference.ModelStatisticsResponse;
import io.mlserve.proto.inference.StatisticDuration;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.ExecutionStats;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Answers Triton's statistics extension ({@code ModelStatistics} over gRPC,
 * {@code GET /v2/models[/{m}[/versions/{v}]]/stats} over REST) from the counters each loaded
 * version keeps ({@link ExecutionStats}): every loaded version of every model, of one model, or
 * one version (a version number or a stage name, as inference takes). The counters count since
 * this process first served the version; cache and per-response statistics, which this server
 * has no use for, are zero and empty, as is memory usage.
 *
 * <p>Transport-free; the adapters turn the message into gRPC or JSON. Thread-safe.
 */
public final class ModelStatisticsReport {
  private final InferenceService service;

  public ModelStatisticsReport(InferenceService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /**
   * @param name empty: every model
   * @param version empty: every loaded version of the model
   * @throws InferenceException NOT_FOUND for a model or version that is not loaded,
   *     INVALID_ARGUMENT for a version without a model
   */
  public ModelStatisticsResponse report(String name, String version) {
    String n = name == null ? "" : name;
    String v = version == null ? "" : version;
    ModelRouter router = service.router();
    List<ServedModel> versions = new ArrayList<>();
    if (n.isEmpty()) {
      if (!v.isEmpty()) {
        throw InferenceException.invalid(
            "a version ('" + v + "') needs a model name; leave both empty for every model");
      }
      for (String model : router.modelNames()) {
        addLoaded(router, model, versions);
      }
    } else if (v.isEmpty()) {
      addLoaded(router, n, versions);
      if (versions.isEmpty()) {
        versions.add(service.loaded(ModelRef.of(n))); // throws NOT_FOUND naming what is served
      }
    } else {
      versions.add(service.loaded(ModelRef.fromVersionField(n, v)));
    }
    ModelStatisticsResponse.Builder out = ModelStatisticsResponse.newBuilder();
    for (ServedModel m : versions) {
      out.addModelStats(statistics(m.name(), m.version(), m.metrics().execution().snapshot()));
    }
    return out.build();
  }

  private static void addLoaded(ModelRouter router, String model, List<ServedModel> into) {
    for (String version : router.versions(model)) {
      ServedModel m = router.loaded(model, version);
      if (m != null) {
        into.add(m);
      }
    }
  }

  /** One version's counters as Triton's {@code ModelStatistics}. */
  public static ModelStatistics statistics(String name, String version,
      ExecutionStats.Snapshot s) {
    ModelStatistics.Builder b = ModelStatistics.newBuilder()
        .setName(name)
        .setVersion(version)
        .setLastInference(s.lastInferenceMillis())
        .setInferenceCount(s.inferenceCount())
        .setExecutionCount(s.executionCount())
        .setInferenceStats(InferStatistics.newBuilder()
            .setSuccess(duration(s.success()))
            .setFail(duration(s.fail()))
            .setQueue(duration(s.queue()))
            .setComputeInput(duration(s.computeInput()))
            .setComputeInfer(duration(s.computeInfer()))
            .setComputeOutput(duration(s.computeOutput()))
            .setCacheHit(StatisticDuration.getDefaultInstance())
            .setCacheMiss(StatisticDuration.getDefaultInstance()));
    for (ExecutionStats.BatchSize size : s.batchSizes()) {
      b.addBatchStats(InferBatchStatistics.newBuilder()
          .setBatchSize(size.batchSize())
          .setComputeInput(duration(size.computeInput()))
          .setComputeInfer(duration(size.computeInfer()))
          .setComputeOutput(duration(size.computeOutput())));
    }
    return b.build();
  }

  private static StatisticDuration duration(ExecutionStats.Duration d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.ns()).build();
  }
}
