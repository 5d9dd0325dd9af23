package io.mlserve.server.serving;

import io.mlserve.server.core.InferenceException;
import java.util.Locale;
import java.util.Objects;

/**
 * What a request asks to be answered by: a model and at most one of an explicit version or a
 * stage. A reference with neither follows the model's deployment (its traffic split, else its
 * Production version). Immutable; thread-safe.
 *
 * @param model the model's name, never null
 * @param version an explicit version, or null
 * @param stage a stage, or null
 */
public record ModelRef(String model, String version, Stage stage) {
  /** The stages a request may name. */
  public enum Stage {
    PRODUCTION,
    STAGING
  }

  public ModelRef {
    Objects.requireNonNull(model, "model");
    if (version != null && version.isEmpty()) {
      version = null;
    }
    if (version != null && stage != null) {
      throw InferenceException.invalid("give 'version' or 'stage', not both");
    }
  }

  /** The model's unversioned traffic. */
  public static ModelRef of(String model) {
    return new ModelRef(model, null, null);
  }

  /**
   * From the OIP form, where the version field may also hold a stage name ({@code staging},
   * {@code production}, any case) and empty means none.
   */
  public static ModelRef fromVersionField(String model, String versionOrStage) {
    requireModel(model);
    if (versionOrStage == null || versionOrStage.isEmpty()) {
      return of(model);
    }
    Stage stage = stageOrNull(versionOrStage);
    return stage != null ? new ModelRef(model, null, stage) : new ModelRef(model, versionOrStage, null);
  }

  /**
   * From the seed's JSON fields, where {@code version} and {@code stage} are separate.
   *
   * @throws InferenceException INVALID_ARGUMENT when the model is missing, both are given, or
   *     the stage is unknown
   */
  public static ModelRef fromFields(String model, String version, String stage) {
    requireModel(model);
    if (stage == null || stage.isEmpty()) {
      return fromVersionField(model, version);
    }
    if (version != null && !version.isEmpty()) {
      throw InferenceException.invalid("give 'version' or 'stage', not both");
    }
    Stage s = stageOrNull(stage);
    if (s == null) {
      throw InferenceException.invalid(
          "field 'stage' must be \"Production\" or \"Staging\", got \"" + stage + "\"");
    }
    return new ModelRef(model, null, s);
  }

  /** Whether this names neither a version nor a stage (so a traffic split applies). */
  public boolean followsDeployment() {
    return version == null && stage == null;
  }

  private static void requireModel(String model) {
    if (model == null || model.isEmpty()) {
      throw InferenceException.invalid("field 'model' is missing");
    }
  }

  private static Stage stageOrNull(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "production" -> Stage.PRODUCTION;
      case "staging" -> Stage.STAGING;
      default -> null;
    };
  }
}
