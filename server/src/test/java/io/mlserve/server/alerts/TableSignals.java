package io.mlserve.server.alerts;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Signal values a test sets by hand, per (signal, scope); unset ones are empty. Records the
 * windows asked for. Not thread-safe.
 */
final class TableSignals implements Signals {
  private final Map<String, Double> values = new HashMap<>();
  private final Map<String, Duration> windows = new HashMap<>();

  TableSignals set(String signal, Scope scope, double value) {
    values.put(key(signal, scope), value);
    return this;
  }

  TableSignals clear(String signal, Scope scope) {
    values.remove(key(signal, scope));
    return this;
  }

  /** The window the latest lookup of {@code signal} for {@code scope} asked for. */
  Duration windowAsked(String signal, Scope scope) {
    return windows.get(key(signal, scope));
  }

  @Override
  public OptionalDouble value(String signal, Scope scope, Duration window) {
    windows.put(key(signal, scope), window);
    Double v = values.get(key(signal, scope));
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  private static String key(String signal, Scope scope) {
    return signal + "/" + scope.model() + "/" + scope.version();
  }
}
