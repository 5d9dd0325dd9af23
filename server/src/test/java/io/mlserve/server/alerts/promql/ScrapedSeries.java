package io.mlserve.server.alerts.promql;

import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.PrometheusText;
import java.util.List;
import java.util.Optional;

/**
 * The series of one real {@code /metrics} render for one model version, each with the target
 * labels Prometheus adds when it scrapes ({@code job}, {@code instance}): the label sets a
 * promtool unit test must use so that the exported rules are tested against what the server
 * really exports. Immutable.
 */
final class ScrapedSeries {
  static final String MODEL = "curve_forecaster";
  static final String VERSION = "1.0.0";
  static final String JOB = "mlserve";
  static final String INSTANCE = "127.0.0.1:8080";
  private static final String TARGET = "job=\"" + JOB + "\",instance=\"" + INSTANCE + "\"";

  private final List<String> ids;

  private ScrapedSeries(List<String> ids) {
    this.ids = ids;
  }

  /** The series of a render with one served version and no traffic yet. */
  static ScrapedSeries render() {
    MetricsRegistry registry = new MetricsRegistry();
    registry.forVersion(MODEL, VERSION);
    String text = new PrometheusText(registry, () -> true).render();
    return new ScrapedSeries(text.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> withTarget(l.substring(0, l.lastIndexOf(' ')))).toList());
  }

  /** Every series of {@code name} whose labels include {@code labels} (e.g. {@code a="b"}). */
  List<String> all(String name, String... labels) {
    return ids.stream().filter(id -> id.startsWith(name + "{"))
        .filter(id -> java.util.Arrays.stream(labels).allMatch(id::contains)).toList();
  }

  /** The one series of {@code name} with {@code labels}; fails when there is not exactly one. */
  String one(String name, String... labels) {
    List<String> found = all(name, labels);
    if (found.size() != 1) {
      throw new AssertionError("expected one series " + name + " " + List.of(labels)
          + " in the /metrics render, found " + found);
    }
    return found.get(0);
  }

  /**
   * The render's series of a gauge another class exports (drift, resource limits) when the
   * render has it, else the name with the target labels and {@code labels}.
   */
  String orBuilt(String name, String labels) {
    Optional<String> found = all(name).stream().findFirst();
    return found.orElseGet(() -> withTarget(name + "{" + labels + "}"));
  }

  /** The model labels of the version rendered, as a series writes them. */
  static String modelLabels() {
    return "model=\"" + MODEL + "\",version=\"" + VERSION + "\"";
  }

  private static String withTarget(String id) {
    int brace = id.indexOf('{');
    if (brace < 0) {
      return id + "{" + TARGET + "}";
    }
    return id.substring(0, brace + 1) + TARGET + (id.charAt(brace + 1) == '}' ? "" : ",")
        + id.substring(brace + 1);
  }
}
