package io.mlserve.loadtest;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The load tester's command line run in-process with what it prints captured, and the top-level
 * fields of the JSON reports it writes. One per test instance; not thread-safe.
 */
final class CapturedCli {
  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": ([^,\\n{]+|\\{[^}]*\\})");

  /** What the commands printed on stdout, in order. */
  final StringWriter out = new StringWriter();
  /** What the commands printed on stderr, in order. */
  final StringWriter err = new StringWriter();

  /** Runs one command line; returns its exit code. */
  int execute(String... args) {
    CommandLine cmd = LoadTest.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  /** A report's top-level fields as written (objects as their text, e.g. {@code "{}"}). */
  static Map<String, String> fields(Path json) throws Exception {
    Map<String, String> fields = new HashMap<>();
    Matcher m = FIELD.matcher(Files.readString(json));
    while (m.find()) {
      fields.putIfAbsent(m.group(1), m.group(2).trim()); // top level first
    }
    return fields;
  }
}
