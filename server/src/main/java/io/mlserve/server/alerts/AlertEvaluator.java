package io.mlserve.server.alerts;

import io.mlserve.server.alerts.AlertExpression.Comparison;
import io.mlserve.server.alerts.AlertExpression.Hit;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state machine of Prometheus alerting, per (rule, scope): a condition that becomes true
 * makes the alert PENDING (or FIRING at once when the rule's {@code for} is 0); still true once
 * {@code for} has passed since it became true, FIRING; false again, RESOLVED from FIRING or
 * INACTIVE from PENDING. A resolved alert is reported once and then forgotten: the next
 * evaluation finds it inactive and reports nothing.
 *
 * <p>{@link #evaluate} returns the transitions of one evaluation: INACTIVE→PENDING,
 * INACTIVE→FIRING ({@code for: 0}), PENDING→FIRING, PENDING→INACTIVE (the condition ended before
 * {@code for}) and FIRING→RESOLVED. Model rules are evaluated for each model scope given;
 * process rules for {@link Scope#PROCESS} always (whether or not {@code scopes} holds it). An
 * alert whose model scope is no longer given resolves when it was firing and is dropped
 * silently when it was pending. A signal with no value makes its comparison false.
 *
 * <p>The value of a transition is that of the first comparison that held; on a resolve, the
 * current value of the rule's first comparison, or NaN when that signal has no value (a writer
 * of JSON should write null). The threshold is that comparison's.
 *
 * <p>Bounded: at most {@code maxAlerts} pending or firing alerts (default {@value #MAX_ALERTS});
 * beyond that a new alert is not started (it is counted in {@link #untracked()}) while those
 * already tracked go on; it starts at a later evaluation once there is room.
 *
 * <p>Not thread-safe for evaluation: one thread calls {@link #evaluate}. {@link #active()},
 * {@link #rules()} and {@link #untracked()} may be called from any thread.
 */
public final class AlertEvaluator {
  public static final int MAX_ALERTS = 10_000;
  private static final Comparator<Scope> SCOPE_ORDER =
      Comparator.comparing(Scope::model).thenComparing(Scope::version);

  private final List<AlertRule> rules;
  private final List<AlertExpression> expressions;
  private final Clock clock;
  private final int maxAlerts;
  private final Map<Key, Alert> alerts = new LinkedHashMap<>();
  private volatile List<AlertTransition> active = List.of();
  private volatile long untracked;

  private record Key(int rule, Scope scope) {}

  private record SignalKey(String signal, Scope scope, Duration window) {}

  /** One pending or firing alert. */
  private static final class Alert {
    AlertState state;
    final long activeSince;
    final Map<String, String> labels;
    double value;
    double threshold;

    Alert(long activeSince, Map<String, String> labels) {
      this.activeSince = activeSince;
      this.labels = labels;
    }
  }

  public AlertEvaluator(List<AlertRule> rules, Clock clock) {
    this(rules, clock, MAX_ALERTS);
  }

  /** @param maxAlerts the most pending or firing alerts tracked at once */
  public AlertEvaluator(List<AlertRule> rules, Clock clock, int maxAlerts) {
    this.rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxAlerts < 1) {
      throw new IllegalArgumentException("maxAlerts must be positive");
    }
    this.maxAlerts = maxAlerts;
    this.expressions = this.rules.stream().map(AlertRule::expression).toList();
  }

  public List<AlertRule> rules() {
    return rules;
  }

  /** New alerts not started because {@code maxAlerts} were already tracked, since creation. */
  public long untracked() {
    return untracked;
  }

  /** Every pending or firing alert as of the latest evaluate (from == to == its state). */
  public List<AlertTransition> active() {
    return active;
  }

  /**
   * Evaluates every rule for each scope it applies to, at the clock's current time.
   *
   * @param scopes the served model versions (a {@link Scope#PROCESS} in it is ignored)
   * @param signals the values the expressions read; a runtime exception from it propagates and
   *     leaves the state as it was before this call for the rules not yet evaluated
   * @return the transitions, by rule in configured order, then by scope; then the resolutions
   *     of scopes that left
   */
  public List<AlertTransition> evaluate(Collection<Scope> scopes, Signals signals) {
    Objects.requireNonNull(signals, "signals");
    long now = clock.millis();
    List<Scope> models = Objects.requireNonNull(scopes, "scopes").stream()
        .filter(s -> !s.isProcess()).distinct().sorted(SCOPE_ORDER).toList();
    Map<SignalKey, OptionalDouble> cache = new HashMap<>();
    List<AlertTransition> out = new ArrayList<>();
    Set<Key> seen = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      AlertRule rule = rules.get(i);
      AlertExpression expr = expressions.get(i);
      for (Scope scope : expr.isProcess() ? List.of(Scope.PROCESS) : models) {
        Key key = new Key(i, scope);
        seen.add(key);
        Hit hit = expr.evaluate(s -> cache.computeIfAbsent(
            new SignalKey(s, scope, rule.window()), k -> signals.value(s, scope, k.window())));
        step(key, rule, hit, expr, cache, now, out);
      }
    }
    for (Iterator<Map.Entry<Key, Alert>> it = alerts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Alert> e = it.next();
      if (!seen.contains(e.getKey())) {
        it.remove();
        if (e.getValue().state == AlertState.FIRING) {
          e.getValue().threshold =
              expressions.get(e.getKey().rule()).comparisons().get(0).threshold();
          out.add(transition(e.getKey(), e.getValue(), AlertState.FIRING, AlertState.RESOLVED,
              Double.NaN, now));
        }
      }
    }
    List<AlertTransition> listing = new ArrayList<>(alerts.size());
    alerts.forEach((k, a) -> listing.add(transition(k, a, a.state, a.state, a.value, now)));
    active = List.copyOf(listing);
    return out;
  }

  private void step(Key key, AlertRule rule, Hit hit, AlertExpression expr,
      Map<SignalKey, OptionalDouble> cache, long now, List<AlertTransition> out) {
    Alert a = alerts.get(key);
    if (hit != null) {
      if (a == null) {
        if (alerts.size() >= maxAlerts) {
          untracked++;
          return;
        }
        a = new Alert(now, labels(rule, key.scope()));
        alerts.put(key, a);
        a.value = hit.value();
        a.threshold = hit.comparison().threshold();
        a.state = rule.forDuration().isZero() ? AlertState.FIRING : AlertState.PENDING;
        out.add(transition(key, a, AlertState.INACTIVE, a.state, a.value, now));
        return;
      }
      a.value = hit.value();
      a.threshold = hit.comparison().threshold();
      if (a.state == AlertState.PENDING && now - a.activeSince >= rule.forDuration().toMillis()) {
        a.state = AlertState.FIRING;
        out.add(transition(key, a, AlertState.PENDING, AlertState.FIRING, a.value, now));
      }
    } else if (a != null) {
      alerts.remove(key);
      Comparison first = expr.comparisons().get(0);
      OptionalDouble v = cache.getOrDefault(
          new SignalKey(first.signal(), key.scope(), rule.window()), OptionalDouble.empty());
      a.threshold = first.threshold();
      AlertState to = a.state == AlertState.FIRING ? AlertState.RESOLVED : AlertState.INACTIVE;
      out.add(transition(key, a, a.state, to, v.orElse(Double.NaN), now));
    }
  }

  /** A transition of {@code a}; from == to for the listing of active alerts. */
  private AlertTransition transition(Key key, Alert a, AlertState from, AlertState to,
      double value, long now) {
    AlertRule rule = rules.get(key.rule());
    Map<String, String> annotations = new TreeMap<>();
    rule.annotations().forEach((k, v) -> annotations.put(k, AlertTemplates.fill(v, a.labels,
        value)));
    return new AlertTransition(rule.name(), key.scope(), from, to, value, a.threshold,
        rule.severity(), a.labels, annotations, a.activeSince, now);
  }

  private static Map<String, String> labels(AlertRule rule, Scope scope) {
    Map<String, String> l = new TreeMap<>(rule.labels());
    l.put("alertname", rule.name());
    l.put("severity", rule.severity());
    if (!scope.isProcess()) {
      l.put("model", scope.model());
      l.put("version", scope.version());
    }
    return Map.copyOf(l);
  }
}
