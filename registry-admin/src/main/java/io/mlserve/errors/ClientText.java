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
  /** An absolute path of two or more segments, not part of a URL or a relative path. */
  private static final Pattern PATH =
      Pattern.compile("(?<![\\w.~/\\\\-])/([^\\s/'\"`:;,()\\[\\]{}<>|]+)(/[^\\s'\"`:;,()\\[\\]{}<>|]*)+");
  /** A Java throwable's name, qualified or not, with the ": " that follows it in toString(). */
  private static final Pattern THROWABLE = Pattern.compile(
      "\\b(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b(?::\\s*)?");
  /** A qualified Java class name ({@code io.mlserve.store.ServingConfig}). */
  private static final Pattern QUALIFIED =
      Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+([A-Z][\\w$]*)\\b");
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
    String s = FRAME.matcher(message).replaceAll("");
    s = cutPaths(s);
    s = THROWABLE.matcher(s).replaceAll("");
    s = QUALIFIED.matcher(s).replaceAll("$1");
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

  private static Set<String> rootEntries() {
    try (Stream<Path> s = Files.list(Path.of("/"))) {
      return s.map(p -> p.getFileName() == null ? "" : p.getFileName().toString())
          .collect(Collectors.toUnmodifiableSet());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
