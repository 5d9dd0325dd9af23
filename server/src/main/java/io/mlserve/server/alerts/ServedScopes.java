package io.mlserve.server.alerts;

import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The model versions taking unversioned traffic now, each with its metrics: per model, the
 * router's default (Production) version and every arm of its traffic split with a positive
 * weight. Staging versions (answered only when asked for by stage) and shadows (never answer a
 * client) are not alerted on. Thread-safe (reads the router's current tables).
 */
public final class ServedScopes implements Supplier<Map<Scope, ModelMetrics>> {
  private final ModelRouter router;

  public ServedScopes(ModelRouter router) {
    this.router = Objects.requireNonNull(router, "router");
  }

  @Override
  public Map<Scope, ModelMetrics> get() {
    Map<Scope, ModelMetrics> out = new HashMap<>();
    for (String name : router.modelNames()) {
      ServedModel d = router.defaultVersion(name);
      if (d != null) {
        out.put(new Scope(name, d.version()), d.metrics());
      }
      ArmTable arms = router.arms(name);
      if (arms != null) {
        Map<String, Double> weights = arms.weights();
        for (ServedModel m : arms.arms()) {
          if (weights.getOrDefault(m.version(), 0.0) > 0) {
            out.put(new Scope(name, m.version()), m.metrics());
          }
        }
      }
    }
    return out;
  }
}
