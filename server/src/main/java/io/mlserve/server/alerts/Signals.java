package io.mlserve.server.alerts;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The current value of a named signal ({@link SignalNames}) for a scope over a window, as the
 * server computes it from its own metrics. Empty when there is no value (no requests in the
 * window, no drift computed yet, no GPU): a rule over an empty signal is not active, as a
 * PromQL comparison over an absent series returns nothing. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Signals {
  OptionalDouble value(String signal, Scope scope, Duration window);
}
