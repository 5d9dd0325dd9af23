package io.mlserve.server.alerts;

import java.util.OptionalDouble;

/**
 * The drift signals of a served version ({@link SignalNames#DRIFT_SHARE},
 * {@link SignalNames#FEATURE_PSI_MAX}, {@link SignalNames#FEATURE_KS_MAX},
 * {@link SignalNames#PREDICTION_PSI_MAX}, {@link SignalNames#PERFORMANCE_DRIFT}) from its latest
 * drift computation; the drift package implements it over its {@code DriftView}, so that alerts
 * do not depend on drift (drift's metrics use {@link SignalNames}). Implementations are
 * thread-safe and answer from memory.
 */
@FunctionalInterface
public interface DriftSignals {
  /** Knows nothing. */
  DriftSignals NONE = (signal, model, version) -> OptionalDouble.empty();

  /** The signal's latest value; empty before the first comparison or when it has none. */
  OptionalDouble value(String signal, String model, String version);
}
