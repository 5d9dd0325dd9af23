package io.mlserve.registry;

import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A registration as an operator states it, before {@link Registrations#resolve} fills in what
 * was left out: exactly one of {@code version} and {@code bump}; {@code artifact} or a
 * {@code runId} whose run holds the model file; {@code format} null to infer it from the file
 * name; {@code signature}/{@code serving} null to inherit the model's latest version's. Every
 * other field may be null, except {@code model} and {@code actor}. Immutable.
 */
public record RegisterSpec(
    String model,
    String version,
    String bump,
    Path artifact,
    String format,
    Signature signature,
    ServingConfig serving,
    String runId,
    String description,
    Path examples,
    String actor) {

  public RegisterSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(actor, "actor");
  }
}
