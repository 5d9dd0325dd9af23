package io.mlserve.server.alerts;

import io.mlserve.store.Names;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The annotation templates a rule may use, in Prometheus' template syntax so that the exported
 * rules file renders the same text: {@code {{ $labels.model }}}, {@code {{ $labels.version }}}
 * (model rules only: they are the labels of the alert's series) and {@code {{ $value }}}. Any
 * other {@code {{ ... }}} is refused, since the built-in evaluator could not fill it. {@code
 * $value} is printed as Go prints a float64 ({@code 0.25}, {@code 250}, {@code 1.5e+06}), as
 * Prometheus does. Stateless; thread-safe.
 */
final class AlertTemplates {
  private static final Pattern ACTION = Pattern.compile("\\{\\{(.*?)\\}\\}", Pattern.DOTALL);
  private static final Pattern KNOWN =
      Pattern.compile("\\s*(\\$value|\\$labels\\.(model|version))\\s*");

  private AlertTemplates() {}

  /**
   * Checks the templates of one annotation value.
   *
   * @throws AlertConfigException naming the annotation when it uses what cannot be filled
   */
  static void check(String annotation, String value, boolean process) {
    Matcher m = ACTION.matcher(value);
    while (m.find()) {
      Matcher k = KNOWN.matcher(m.group(1));
      if (!k.matches()) {
        throw new AlertConfigException("annotations." + annotation + ": template '"
            + Names.printable(m.group()) + "' is not supported; use {{ $labels.model }},"
            + " {{ $labels.version }} or {{ $value }}");
      }
      if (process && k.group(2) != null) {
        throw new AlertConfigException("annotations." + annotation + ": " + m.group()
            + " has no value in a rule over process signals (only model rules have model and"
            + " version labels)");
      }
    }
    int rest = ACTION.matcher(value).replaceAll("").indexOf("{{");
    if (rest >= 0) {
      throw new AlertConfigException("annotations." + annotation + ": '{{' without a closing"
          + " '}}'");
    }
  }

  /** {@code value} with its templates filled from {@code labels} and {@code v}. */
  static String fill(String value, Map<String, String> labels, double v) {
    if (value.indexOf("{{") < 0) {
      return value;
    }
    Matcher m = ACTION.matcher(value);
    StringBuilder out = new StringBuilder(value.length() + 16);
    while (m.find()) {
      Matcher k = KNOWN.matcher(m.group(1));
      String filled = !k.matches() ? m.group()
          : k.group(2) == null ? goFloat(v) : labels.getOrDefault(k.group(2), "");
      m.appendReplacement(out, Matcher.quoteReplacement(filled));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code v} as Go's {@code fmt} prints a float64 ({@code %v}: the shortest digits that read
   * back as {@code v}; an exponent below 1e-4 and from 1e6 up, {@code 1.5e+06}).
   */
  static String goFloat(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exp = d.precision() - d.scale() - 1;
    if (exp < -4 || exp >= 6) {
      String digits = d.unscaledValue().abs().toString();
      String mantissa = digits.length() == 1 ? digits
          : digits.charAt(0) + "." + digits.substring(1);
      return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+")
          + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return d.toPlainString();
  }
}
