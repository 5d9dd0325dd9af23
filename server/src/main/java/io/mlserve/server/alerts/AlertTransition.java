package io.mlserve.server.alerts;

import java.util.Map;
import java.util.Objects;

/**
 * One alert changing state: the rule, the scope it was evaluated for, the state before and
 * after, the value that decided and the rule's threshold (the first comparison that held or,
 * on resolve, the first of the rule), the alert's labels (the rule's, plus {@code alertname},
 * {@code severity}, and {@code model}/{@code version} for a model scope) and annotations (the
 * rule's, templates filled). Immutable.
 *
 * @param activeSinceMillis when the condition became true (epoch ms)
 * @param atMillis when this transition happened (epoch ms)
 */
public record AlertTransition(String rule, Scope scope, AlertState from, AlertState to,
    double value, double threshold, String severity, Map<String, String> labels,
    Map<String, String> annotations, long activeSinceMillis, long atMillis) {
  public AlertTransition {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }
}
