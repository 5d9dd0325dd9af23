package io.mlserve.store;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict Semantic Versioning 2.0.0 version ({@code MAJOR.MINOR.PATCH[-prerelease][+build]}),
 * ordered by semver precedence. Build metadata does not affect precedence; {@link #compareTo}
 * breaks that tie on the build string only so that sorting is deterministic. Immutable;
 * thread-safe.
 */
public final class SemVer implements Comparable<SemVer> {
  /** Longest accepted version string; versions are directory names. */
  public static final int MAX_LENGTH = 128;

  private static final String NUM = "0|[1-9]\\d*";
  private static final String PRE_ID = "0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*";
  private static final Pattern PATTERN = Pattern.compile(
      "(" + NUM + ")\\.(" + NUM + ")\\.(" + NUM + ")"
          + "(?:-((?:" + PRE_ID + ")(?:\\.(?:" + PRE_ID + "))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

  private final String text;
  private final String[] core;
  private final String[] prerelease;
  private final String build;

  private SemVer(String text, String[] core, String[] prerelease, String build) {
    this.text = text;
    this.core = core;
    this.prerelease = prerelease;
    this.build = build;
  }

  /** Whether {@code s} is a strict semver string. */
  public static boolean isValid(String s) {
    return s != null && s.length() <= MAX_LENGTH && PATTERN.matcher(s).matches();
  }

  /**
   * Parses a strict semver string.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static SemVer parse(String s) {
    Objects.requireNonNull(s, "s");
    Matcher m = PATTERN.matcher(s);
    if (s.length() > MAX_LENGTH || !m.matches()) {
      throw new IllegalArgumentException("invalid version '" + Names.printable(s)
          + "': expected semantic version MAJOR.MINOR.PATCH[-prerelease][+build], e.g. 1.2.0");
    }
    String[] pre = m.group(4) == null ? new String[0] : m.group(4).split("\\.");
    return new SemVer(s, new String[] {m.group(1), m.group(2), m.group(3)}, pre,
        m.group(5) == null ? "" : m.group(5));
  }

  /** Compares semver precedence only (build metadata ignored). */
  public int comparePrecedence(SemVer o) {
    for (int i = 0; i < 3; i++) {
      int c = compareNumeric(core[i], o.core[i]);
      if (c != 0) {
        return c;
      }
    }
    // A release ranks above any of its pre-releases.
    if (prerelease.length == 0 || o.prerelease.length == 0) {
      return Boolean.compare(prerelease.length == 0, o.prerelease.length == 0);
    }
    for (int i = 0; i < Math.min(prerelease.length, o.prerelease.length); i++) {
      int c = compareIdentifier(prerelease[i], o.prerelease[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(prerelease.length, o.prerelease.length);
  }

  @Override
  public int compareTo(SemVer o) {
    int c = comparePrecedence(o);
    return c != 0 ? c : build.compareTo(o.build);
  }

  private static int compareIdentifier(String a, String b) {
    boolean an = isNumeric(a);
    boolean bn = isNumeric(b);
    if (an && bn) {
      return compareNumeric(a, b);
    }
    if (an != bn) {
      return an ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    }
    return a.compareTo(b);
  }

  private static boolean isNumeric(String s) {
    return s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }

  /** Numbers without leading zeros (guaranteed by the pattern), of any length. */
  private static int compareNumeric(String a, String b) {
    return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SemVer v && v.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The version exactly as parsed. */
  @Override
  public String toString() {
    return text;
  }
}
