package io.mlserve.server.history;

import java.util.Objects;

/**
 * A persisted resolution: its directory name under {@code .history/}, its bucket length and how
 * many days of it are kept. Immutable; thread-safe.
 *
 * @param name the directory name, e.g. {@code 10s}
 * @param seconds the bucket length, 1 to 86400, dividing a day
 * @param retentionDays whole UTC days kept besides today, 0 to 366
 */
public record Resolution(String name, int seconds, int retentionDays) {
  public Resolution {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[0-9a-z]{1,8}")) {
      throw new IllegalArgumentException("resolution name must be 1-8 of [0-9a-z], got " + name);
    }
    if (seconds < 1 || seconds > 86_400 || 86_400 % seconds != 0) {
      throw new IllegalArgumentException("resolution must divide a day, got " + seconds + " s");
    }
    if (retentionDays < 0 || retentionDays > 366) {
      throw new IllegalArgumentException("retention must be 0 to 366 days, got "
          + retentionDays);
    }
  }
}
