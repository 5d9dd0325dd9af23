package io.mlserve.server.deploy;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana Prometheus variable query) reads: a small
 * tokenizer, not a parser (no Java PromQL parser is on Maven Central; {@code promtool check
 * rules} checks the syntax separately). It drops string literals, Grafana variables
 * ({@code $model}, {@code ${model}}, {@code $__rate_interval}), label matchers {@code {...}},
 * ranges and subqueries {@code [...]}, the label lists of {@code by}, {@code without},
 * {@code on}, {@code ignoring}, {@code group_left} and {@code group_right}, offsets, numbers,
 * keywords and binary operators; of what is left, an identifier followed by {@code (} is a
 * function or an aggregation, and any other identifier is a metric name. An expression that
 * selects by {@code __name__} is refused: the names must be written out to be checked.
 *
 * <p>Stateless; thread-safe.
 */
public final class PromQlMetricNames {
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LIST = Pattern.compile(
      "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?\\w+",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern TOKEN = Pattern.compile(
      "(0[xX][0-9a-fA-F]+|[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)|([a-zA-Z_:][a-zA-Z0-9_:]*)");
  /** Words that are not metric names where no {@code (} follows them. */
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "atan2", "bool",
      "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan",
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
      "bottomk", "topk", "quantile", "limitk", "limit_ratio");
  private static final Pattern LABEL_VALUES = Pattern.compile(
      "\\s*label_values\\s*\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*", Pattern.DOTALL);
  private static final Pattern LABEL_VALUES_ANY_METRIC =
      Pattern.compile("\\s*label_values\\s*\\(\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*");
  private static final Pattern QUERY_RESULT =
      Pattern.compile("\\s*query_result\\s*\\((.*)\\)\\s*", Pattern.DOTALL);

  private PromQlMetricNames() {}

  /**
   * The metric names {@code expr} reads, sorted.
   *
   * @throws IllegalArgumentException where {@code expr} selects series by {@code __name__}
   */
  public static Set<String> of(String expr) {
    if (expr.contains("__name__")) {
      throw new IllegalArgumentException("selects by __name__ (write the metric name out): "
          + expr);
    }
    String s = STRING.matcher(expr).replaceAll(" \"\" ");
    s = VARIABLE.matcher(s).replaceAll(" 1 ");
    s = MATCHERS.matcher(s).replaceAll(" {} ");
    s = RANGE.matcher(s).replaceAll(" [] ");
    s = LABEL_LIST.matcher(s).replaceAll(" ");
    s = OFFSET.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = TOKEN.matcher(s);
    while (m.find()) {
      String word = m.group(2);
      if (word == null || KEYWORDS.contains(word.toLowerCase(Locale.ROOT))
          || nextIsOpenParen(s, m.end())) {
        continue;
      }
      names.add(word);
    }
    return names;
  }

  /**
   * The metric names a Grafana Prometheus variable query reads: {@code label_values(selector,
   * label)} reads the selector's, {@code label_values(label)} none, {@code query_result(expr)}
   * the expression's.
   *
   * @throws IllegalArgumentException for any other query (e.g. {@code metrics(regex)}, whose
   *     names cannot be checked)
   */
  public static Set<String> ofVariableQuery(String query) {
    Matcher m = LABEL_VALUES.matcher(query);
    if (m.matches()) {
      return of(m.group(1));
    }
    if (LABEL_VALUES_ANY_METRIC.matcher(query).matches()) {
      return Set.of();
    }
    m = QUERY_RESULT.matcher(query);
    if (m.matches()) {
      return of(m.group(1));
    }
    throw new IllegalArgumentException("not a label_values or query_result query: " + query);
  }

  private static boolean nextIsOpenParen(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (!Character.isWhitespace(s.charAt(i))) {
        return s.charAt(i) == '(';
      }
    }
    return false;
  }
}
