package io.mlserve.server.alerts;

/**
 * What a rule is evaluated for: one served model version, or the server process itself (both
 * fields null) for rules over process signals (CPU, memory, GPU). Immutable.
 */
public record Scope(String model, String version) {
  /** The server process. */
  public static final Scope PROCESS = new Scope(null, null);

  public Scope {
    if ((model == null) != (version == null)) {
      throw new IllegalArgumentException("a scope names both a model and a version, or neither");
    }
  }

  public boolean isProcess() {
    return model == null;
  }
}
