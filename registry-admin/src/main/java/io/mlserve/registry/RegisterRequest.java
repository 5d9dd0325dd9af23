package io.mlserve.registry;

import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link ModelRegistry#register} needs to create a version. Only nulls are checked here;
 * the registry validates the values. {@code serving} null means {@link ServingConfig#defaults()};
 * {@code params}/{@code metrics} null mean empty; {@code runId}, {@code description} and
 * {@code examples} (an examples.json to copy into the version) may be null. {@code bump}, when
 * not null, says that {@code version} was bumped from the model's highest version with this kind
 * ({@code patch}, {@code minor}, {@code major}): the registry re-resolves it under the store lock,
 * so concurrent bumps get distinct versions. {@code beforeInstall}, when not null, runs on the
 * validated version directory before it becomes visible ({@link InstallStep}; the drift
 * reference profile of {@code --reference}). Immutable.
 */
public record RegisterRequest(
    String model,
    String version,
    Path artifact,
    String format,
    Signature signature,
    ServingConfig serving,
    String runId,
    Map<String, Object> params,
    Map<String, Object> metrics,
    String description,
    Path examples,
    String actor,
    String bump,
    InstallStep beforeInstall) {

  /** A request for an explicit version. */
  public RegisterRequest(String model, String version, Path artifact, String format,
      Signature signature, ServingConfig serving, String runId, Map<String, Object> params,
      Map<String, Object> metrics, String description, Path examples, String actor) {
    this(model, version, artifact, format, signature, serving, runId, params, metrics,
        description, examples, actor, null, null);
  }

  /** A request with an optional bump and no install step. */
  public RegisterRequest(String model, String version, Path artifact, String format,
      Signature signature, ServingConfig serving, String runId, Map<String, Object> params,
      Map<String, Object> metrics, String description, Path examples, String actor,
      String bump) {
    this(model, version, artifact, format, signature, serving, runId, params, metrics,
        description, examples, actor, bump, null);
  }

  /** This request with {@code step} run on the version before it becomes visible. */
  public RegisterRequest withBeforeInstall(InstallStep step) {
    return new RegisterRequest(model, version, artifact, format, signature, serving, runId,
        params, metrics, description, examples, actor, bump, step);
  }

  public RegisterRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(actor, "actor");
    serving = serving == null ? ServingConfig.defaults() : serving;
    params = params == null ? Map.of() : params;
    metrics = metrics == null ? Map.of() : metrics;
  }

  /**
   * A request from a manifest that sits beside its artifact: the artifact is the manifest's
   * directory / {@code artifact}, and {@code examples.json} in that directory is copied if it
   * exists. The manifest's name, version, format, signature, serving, run_id, params, metrics and
   * description are used; its sha256 and created_at are recomputed at registration.
   *
   * @throws io.mlserve.store.StoreException if the manifest cannot be read or parsed
   */
  public static RegisterRequest fromManifestFile(Path manifestJson, String actor) {
    Objects.requireNonNull(manifestJson, "manifestJson");
    Objects.requireNonNull(actor, "actor");
    Manifest m = ManifestCodec.read(manifestJson);
    Path dir = manifestJson.toAbsolutePath().getParent();
    Path examples = dir.resolve("examples.json");
    return new RegisterRequest(m.name(), m.version(), dir.resolve(m.artifact()), m.format(),
        m.signature(), m.serving(), m.runId(), m.params(), m.metrics(), m.description(),
        Files.isRegularFile(examples) ? examples : null, actor);
  }
}
