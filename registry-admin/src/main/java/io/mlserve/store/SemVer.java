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
    java.math.BigInteger[] n = new java.math.BigInteger[3];
    for (int i = 0; i < 3; i++) {
      n[i] = new java.math.BigInteger(core[i]);
    }
    boolean pre = prerelease.length > 0;
    java.math.BigInteger zero = java.math.BigInteger.ZERO;
    String k = kind.trim().toLowerCase(java.util.Locale.ROOT);
    if (pre && (k.equals("patch") || (k.equals("minor") && n[2].equals(zero))
        || (k.equals("major") && n[1].equals(zero) && n[2].equals(zero)))) {
      return parse(n[0] + "." + n[1] + "." + n[2]);
    }
    switch (k) {
      case "major" -> {
        n[0] = n[0].add(java.math.BigInteger.ONE);
        n[1] = java.math.BigInteger.ZERO;
        n[2] = java.math.BigInteger.ZERO;
      }
      case "minor" -> {
        n[1] = n[1].add(java.math.BigInteger.ONE);
        n[2] = java.math.BigInteger.ZERO;
      }
      case "patch" -> n[2] = n[2].add(java.math.BigInteger.ONE);
      default -> throw new IllegalArgumentException("unknown bump '" + Names.printable(kind)
          + "'; allowed: patch, minor, major");
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
