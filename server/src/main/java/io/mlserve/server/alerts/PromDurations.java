package io.mlserve.server.alerts;

import io.mlserve.store.Names;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Prometheus' syntax, so a rules file reads the same here and in Prometheus: units
 * {@code d h m s ms} in that order, each at most once, whole numbers ({@code 30s}, {@code 5m},
 * {@code 1h30m}, {@code 0s}, {@code 0}). Weeks and years are left out: no alert duration here
 * reaches them. Stateless; thread-safe.
 */
public final class PromDurations {
  private static final Pattern FORM = Pattern.compile("(?:([0-9]{1,6})d)?(?:([0-9]{1,9})h)?"
      + "(?:([0-9]{1,9})m)?(?:([0-9]{1,9})s)?(?:([0-9]{1,9})ms)?");
  private static final long[] UNIT_MS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
  private static final String[] UNIT = {"d", "h", "m", "s", "ms"};

  private PromDurations() {}

  /**
   * Parses {@code text}.
   *
   * @throws AlertConfigException naming {@code field} and the value when it is not a duration
   */
  public static Duration parse(String field, String text) {
    String s = text.strip();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORM.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new AlertConfigException(field + ": '" + Names.printable(text) + "' is not a"
          + " duration (Prometheus syntax: whole numbers with units d, h, m, s, ms in that"
          + " order, no sign, e.g. 30s, 5m, 1h30m)");
    }
    long ms = 0;
    for (int i = 0; i < UNIT.length; i++) {
      if (m.group(i + 1) != null) {
        ms += Long.parseLong(m.group(i + 1)) * UNIT_MS[i];
      }
    }
    return Duration.ofMillis(ms);
  }

  /** The form Prometheus prints: {@code 0s}, {@code 5m}, {@code 1h30m}, {@code 1d2h}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < UNIT.length; i++) {
      long v = ms / UNIT_MS[i];
      if (v > 0) {
        out.append(v).append(UNIT[i]);
        ms -= v * UNIT_MS[i];
      }
    }
    return out.toString();
  }
}
