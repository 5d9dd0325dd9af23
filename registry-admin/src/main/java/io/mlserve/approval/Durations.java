package io.mlserve.approval;

import io.mlserve.store.Names;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as policy files write them: a whole number and a unit, {@code 90s 15m 1h 2d}. */
final class Durations {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /** @throws PolicyException naming {@code field} and the value */
  static Duration parse(String field, String s) {
    Matcher m = FORM.matcher(s.strip());
    if (!m.matches()) {
      throw new PolicyException(field + " '" + Names.printable(s) + "' is not a duration (a"
          + " whole number and a unit: ms, s, m, h or d, e.g. 1h)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The shortest form {@link #parse} reads back as {@code d}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }
}
