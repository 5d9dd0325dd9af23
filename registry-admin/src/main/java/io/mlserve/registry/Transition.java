package io.mlserve.registry;

import io.mlserve.store.Stage;
import java.util.Objects;

/**
 * The result of a stage change: {@code version} moved {@code from -> to}; {@code previousVersion}
 * is the version that held {@code to} before (Staging/Production), or null. Immutable.
 */
public record Transition(String model, String version, Stage from, Stage to,
    String previousVersion) {
  public Transition {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }
}
