package io.mlserve.server.http;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Resolves a request's model, with an explicit version or a stage, to the {@link ServedModel}
 * that answers it. Production (or nothing) is the router's default version; Staging asks the
 * injected stage resolver which version that is. Thread-safe.
 */
final class ModelTargets {
  private final ModelRouter router;
  private final Function<String, String> stagingVersion;

  /**
   * @param stagingVersion model name to its loaded Staging version, or null when it has none
   */
  ModelTargets(ModelRouter router, Function<String, String> stagingVersion) {
    this.router = Objects.requireNonNull(router, "router");
    this.stagingVersion = Objects.requireNonNull(stagingVersion, "stagingVersion");
  }

  ModelRouter router() {
    return router;
  }

  /**
   * @throws HttpStatusException 400 when the model is missing, both version and stage are given,
   *     or the stage is unknown
   * @throws InferenceException NOT_FOUND for an unknown model, version or stage
   */
  ServedModel resolve(String model, String version, String stage) {
    if (model == null || model.isEmpty()) {
      throw HttpStatusException.badRequest("field 'model' is missing");
    }
    boolean hasVersion = version != null && !version.isEmpty();
    if (stage == null || stage.isEmpty()) {
      return router.resolve(model, version);
    }
    if (hasVersion) {
      throw HttpStatusException.badRequest("give 'version' or 'stage', not both");
    }
    switch (stage.toLowerCase(Locale.ROOT)) {
      case "production":
        return router.resolve(model, null);
      case "staging":
        router.resolve(model, null); // an unknown model is NOT_FOUND with the usual message
        String v = stagingVersion.apply(model);
        if (v == null) {
          throw InferenceException.notFound("model '" + model + "' has no Staging version loaded");
        }
        return router.resolve(model, v);
      default:
        throw HttpStatusException.badRequest(
            "field 'stage' must be \"Production\" or \"Staging\", got \"" + stage + "\"");
    }
  }
}
