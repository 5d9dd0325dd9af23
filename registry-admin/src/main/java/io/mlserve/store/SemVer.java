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
  /** Largest MAJOR, MINOR or PATCH: what {@link #bump} and every int-based client can hold. */
  public static final long MAX_COMPONENT = Integer.MAX_VALUE;

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
    if (s == null || s.length() > MAX_LENGTH) {
      return false;
    }
    Matcher m = PATTERN.matcher(s);
    return m.matches() && inRange(m.group(1)) && inRange(m.group(2)) && inRange(m.group(3));
  }

  private static boolean inRange(String component) {
    return component.length() <= 10 && Long.parseLong(component) <= MAX_COMPONENT;
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
    if (!inRange(m.group(1)) || !inRange(m.group(2)) || !inRange(m.group(3))) {
      throw new IllegalArgumentException("invalid version '" + Names.printable(s)
          + "': MAJOR, MINOR and PATCH must each be at most " + MAX_COMPONENT);
    }
    String[] pre = m.group(4) == null ? new String[0] : m.group(4).split("\\.");
    return new SemVer(s, new String[] {m.group(1), m.group(2), m.group(3)}, pre,
        m.group(5) == null ? "" : m.group(5));
  }

  /**
   * The next release after this version's MAJOR.MINOR.PATCH: {@code patch} (1.2.3 -> 1.2.4),
   * {@code minor} (1.2.3 -> 1.3.0) or {@code major} (1.2.3 -> 2.0.0). Build metadata is
   * dropped; a pre-release bumps to its release where that is the asked-for kind of step
   * (as npm does: 1.3.0-rc.1 -> patch 1.3.0, minor 1.3.0, major 2.0.0).
   *
   * @throws IllegalArgumentException for another kind, naming the allowed ones
   */
  public SemVer bump(String kind) {
    Objects.requireNonNull(kind, "kind");
    long[] n = new long[3];
    for (int i = 0; i < 3; i++) {
      n[i] = Long.parseLong(core[i]); // at most MAX_COMPONENT, checked by parse
    }
    boolean pre = prerelease.length > 0;
    String k = kind.trim().toLowerCase(java.util.Locale.ROOT);
    if (pre && (k.equals("patch") || (k.equals("minor") && n[2] == 0)
        || (k.equals("major") && n[1] == 0 && n[2] == 0))) {
      return parse(n[0] + "." + n[1] + "." + n[2]);
    }
    int at = switch (k) {
      case "major" -> 0;
      case "minor" -> 1;
      case "patch" -> 2;
      default -> throw new IllegalArgumentException("unknown bump '" + Names.printable(kind)
          + "'; allowed: patch, minor, major");
    };
    if (n[at] >= MAX_COMPONENT) {
      throw new IllegalArgumentException("cannot bump " + k + " of " + text + ": "
          + k.toUpperCase(java.util.Locale.ROOT) + " is already the largest allowed, "
          + MAX_COMPONENT);
    }
    n[at]++;
    for (int i = at + 1; i < 3; i++) {
      n[i] = 0;
    }
    return parse(n[0] + "." + n[1] + "." + n[2]);
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
