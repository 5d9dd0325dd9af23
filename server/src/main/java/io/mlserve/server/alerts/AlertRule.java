package io.mlserve.server.alerts;

import io.mlserve.store.Names;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One alert rule, as Prometheus writes one: a name, an expression over {@link SignalNames
 * signals} ({@link AlertExpression}), the window the signals are computed over, how long the
 * condition must hold before the alert fires ({@code for}), a severity, and extra labels and
 * annotations (annotations may use {@code {{ $labels.model }}}, {@code {{ $labels.version }}}
 * and {@code {{ $value }}}). The constructor checks everything and throws an {@link
 * AlertConfigException} naming the rule and the field. Immutable; thread-safe.
 *
 * @param window over which rate and quantile signals are computed (ignored by gauges such as
 *     the drift signals); from 1s to 24h
 * @param forDuration from 0 (fires at the first evaluation that holds) to 24h
 */
public record AlertRule(String name, String expr, Duration window, Duration forDuration,
    String severity, Map<String, String> labels, Map<String, String> annotations) {
  /** The rule name rule, as a regular expression (quoted in error messages). */
  public static final String NAME_REGEX = "[A-Za-z][A-Za-z0-9_]{0,63}";
  /** Labels the evaluator sets itself; a rule may not set them. */
  public static final Set<String> RESERVED_LABELS =
      Set.of("alertname", "severity", "model", "version");
  public static final Duration MAX_DURATION = Duration.ofHours(24);
  public static final int MAX_LABELS = 32;
  public static final int MAX_ANNOTATIONS = 32;
  public static final int MAX_LABEL_VALUE = 256;
  public static final int MAX_ANNOTATION_VALUE = 4096;

  private static final Pattern NAME = Pattern.compile(NAME_REGEX);
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");
  private static final Pattern SEVERITY = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  public AlertRule {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new AlertConfigException("rule name '" + Names.printable(name) + "' is not valid"
          + " (a letter, then letters, digits or '_', at most 64: " + NAME_REGEX + ")");
    }
    String where = "rule '" + name + "'";
    try {
      required(expr, "expr");
      required(window, "window");
      required(forDuration, "for");
      required(severity, "severity");
      AlertExpression parsed = AlertExpression.parse(expr);
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_DURATION) > 0) {
        throw new AlertConfigException("window must be from 1s to 24h, not "
            + (window.isNegative() ? "negative" : PromDurations.format(window)));
      }
      if (forDuration.isNegative() || forDuration.compareTo(MAX_DURATION) > 0) {
        throw new AlertConfigException("for must be from 0s to 24h, not "
            + (forDuration.isNegative() ? "negative" : PromDurations.format(forDuration)));
      }
      if (!SEVERITY.matcher(severity).matches()) {
        throw new AlertConfigException("severity '" + Names.printable(severity) + "' is not"
            + " valid (lower-case letters, digits, '_' or '-', at most 32, e.g. warning)");
      }
      labels = checked("labels", labels, MAX_LABELS, MAX_LABEL_VALUE);
      for (Map.Entry<String, String> l : labels.entrySet()) {
        if (RESERVED_LABELS.contains(l.getKey())) {
          throw new AlertConfigException("labels." + l.getKey() + ": set by the evaluator"
              + (l.getKey().equals("severity") ? "; use the rule's severity field" : "")
              + " (reserved: alertname, severity, model, version)");
        }
        if (l.getValue().contains("{{")) {
          throw new AlertConfigException("labels." + l.getKey() + ": labels are not"
              + " templated; put templates in annotations");
        }
      }
      annotations = checked("annotations", annotations, MAX_ANNOTATIONS, MAX_ANNOTATION_VALUE);
      for (Map.Entry<String, String> a : annotations.entrySet()) {
        AlertTemplates.check(a.getKey(), a.getValue(), parsed.isProcess());
      }
    } catch (AlertConfigException e) {
      throw e.in(where);
    }
  }

  /** A rule without extra labels or annotations. */
  public AlertRule(String name, String expr, Duration window, Duration forDuration,
      String severity) {
    this(name, expr, window, forDuration, severity, Map.of(), Map.of());
  }

  /** The parsed expression. */
  public AlertExpression expression() {
    return AlertExpression.parse(expr);
  }

  /** Whether the rule is over process signals (evaluated for {@link Scope#PROCESS}). */
  public boolean isProcess() {
    return expression().isProcess();
  }

  private static Map<String, String> checked(String field, Map<String, String> m, int maxCount,
      int maxValue) {
    required(m, field);
    if (m.size() > maxCount) {
      throw new AlertConfigException(field + ": " + m.size() + " entries; at most " + maxCount);
    }
    Map<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : m.entrySet()) {
      String k = required(e.getKey(), field + " name");
      String v = required(e.getValue(), field + "." + k);
      if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__")) {
        throw new AlertConfigException(field + ": name '" + Names.printable(k) + "' is not"
            + " valid (a letter or '_', then letters, digits or '_', at most 64; not"
            + " starting with '__')");
      }
      if (v.length() > maxValue) {
        throw new AlertConfigException(field + "." + k + ": longer than " + maxValue
            + " characters");
      }
      copy.put(k, v);
    }
    return Collections.unmodifiableMap(copy);
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new AlertConfigException(field + " is required");
    }
    return value;
  }
}
