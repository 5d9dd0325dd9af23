package io.mlserve.errors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a client may read of a failure. Every transport's error table (HTTP, inference gRPC,
 * admin gRPC) passes each message it sends through {@link #scrub}, so that a message built deep
 * down from an exception's text or a file name cannot show the server's insides: Java class
 * and exception names are taken out and server file paths are cut to their last segment
 * ({@code /srv/models/m/versions/1.0.0/model.pt} becomes {@code .../model.pt}). An unexpected
 * failure is answered with {@link #internal} only: a generic sentence and an error id that the
 * server's log line for it carries.
 *
 * <p>Paths are told from URL paths ({@code /v2/models/m/infer}, which 404 answers repeat) by
 * their first segment: a server path starts with an entry of the file system's root directory,
 * read once. Stateless after class initialisation; thread-safe.
 */
public final class ClientText {
  /** Longest message passed on; the rest is cut ("..."). */
  static final int MAX_CHARS = 2000;

  /** An absolute path of two or more segments, not part of a URL or a relative path. */
  private static final Pattern PATH =
      Pattern.compile("(?<![\\w.~/\\\\-])/([^\\s/'\"`:;,()\\[\\]{}<>|]++)"
          + "(?:/[^\\s/'\"`:;,()\\[\\]{}<>|]*+)++");
  /**
   * A word, dotted or not ({@code java.io.IOException}, {@code ServingConfig}, {@code 1.0.0}),
   * with the ": " after it; matched only from its start, so each is read once.
   */
  private static final Pattern WORD =
      Pattern.compile("(?<![\\w$.])[\\w$]++(?:\\.[\\w$]++)*+(:\\s*+)?");
  /** A stack frame line. */
  private static final Pattern FRAME = Pattern.compile("(?m)^\\s+at \\S+.*$\\R?");

  /** Names in the root directory; null when it cannot be read (then every path is cut). */
  private static final Set<String> ROOT_ENTRIES = rootEntries();

  private ClientText() {}

  /**
   * The message with class names, exception names, stack frames and server paths taken out.
   *
   * @return the cleaned text; {@code fallback} when nothing readable is left
   */
  public static String scrub(String message, String fallback) {
    if (message == null || message.isBlank()) {
      return fallback;
    }
    // Messages may quote request data; a bound keeps the answer and the patterns' work small.
    String s = message.length() > MAX_CHARS ? message.substring(0, MAX_CHARS) + "..." : message;
    s = FRAME.matcher(s).replaceAll("");
    s = cutPaths(s);
    s = cutJavaNames(s);
    s = s.replaceAll("[ \\t]{2,}", " ").replaceAll(":\\s*(?=:|$)", "").trim();
    return s.isEmpty() ? fallback : s;
  }

  /** {@link #scrub} with "request failed" when nothing is left. */
  public static String scrub(String message) {
    return scrub(message, "request failed");
  }

  /** A fresh id for one failure, to quote in the answer and in the log line. */
  public static String newErrorId() {
    return String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
  }

  /** The whole answer to an unexpected failure. */
  public static String internal(String errorId) {
    return "internal error (error id " + errorId + "; the server log has the details)";
  }

  private static String cutPaths(String s) {
    Matcher m = PATH.matcher(s);
    if (!m.find()) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    do {
      String path = m.group();
      if (ROOT_ENTRIES != null && !ROOT_ENTRIES.contains(m.group(1))) {
        m.appendReplacement(out, Matcher.quoteReplacement(path));
        continue;
      }
      String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
      m.appendReplacement(out, Matcher.quoteReplacement(".../" + last));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  private static String cutJavaNames(String s) {
    Matcher m = WORD.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    while (m.find()) {
      String colon = m.group(1) == null ? "" : m.group(1);
      String word = m.group().substring(0, m.group().length() - colon.length());
      m.appendReplacement(out, Matcher.quoteReplacement(javaName(word, colon)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A throwable's name ({@code java.io.IOException}, {@code NumberFormatException}) goes with
   * its colon; a qualified class name ({@code io.mlserve.store.ServingConfig}) loses its
   * package; other words stay.
   */
  private static String javaName(String word, String colon) {
    String[] parts = word.split("\\.");
    int i = 0;
    while (i < parts.length && isPackage(parts[i])) {
      i++;
    }
    if (i == parts.length || !Character.isUpperCase(parts[i].charAt(0))) {
      return word + colon;
    }
    if (i == parts.length - 1 && isThrowable(parts[i])) {
      return "";
    }
    if (i == 0) {
      return word + colon;
    }
    return String.join(".", java.util.Arrays.asList(parts).subList(i, parts.length)) + colon;
  }

  private static boolean isPackage(String segment) {
    char c = segment.charAt(0);
    return (c >= 'a' && c <= 'z') || c == '_' || c == '$';
  }

  private static boolean isThrowable(String name) {
    for (String suffix : new String[] {"Exception", "Error", "Throwable"}) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> rootEntries() {
    try (Stream<Path> s = Files.list(Path.of("/"))) {
      return s.map(p -> p.getFileName() == null ? "" : p.getFileName().toString())
          .collect(Collectors.toUnmodifiableSet());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
