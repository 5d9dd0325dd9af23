package io.mlserve.server.alerts;

/**
 * Where one alert (a rule for one scope) stands, as Prometheus names it: the condition is false
 * (INACTIVE), true for less than the rule's {@code for} (PENDING), true for at least that long
 * (FIRING); RESOLVED is an alert that fired and whose condition is false again.
 */
public enum AlertState {
  INACTIVE, PENDING, FIRING, RESOLVED;

  /** The lower-case name used on the wire (JSON, events, the webhook body). */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
