package io.mlserve.server.history;

import java.util.Objects;

/**
 * One series: a metric and whose it is. Version series name a model and version; transport
 * series a transport ({@code grpc}, {@code http}, {@code http-batch}); process series neither.
 * Immutable; thread-safe.
 *
 * @param model null unless the metric's scope is VERSION
 * @param version null unless the metric's scope is VERSION
 * @param transport null unless the metric's scope is TRANSPORT
 */
public record SeriesKey(Metric metric, String model, String version, String transport) {
  public SeriesKey {
    Objects.requireNonNull(metric, "metric");
    boolean v = metric.scope() == Metric.Scope.VERSION;
    boolean t = metric.scope() == Metric.Scope.TRANSPORT;
    if (v != (model != null && version != null) || (!v && (model != null || version != null))
        || t != (transport != null)) {
      throw new IllegalArgumentException("labels do not fit the " + metric.scope() + " metric "
          + metric.wireName());
    }
  }

  public static SeriesKey ofVersion(Metric metric, String model, String version) {
    return new SeriesKey(metric, model, version, null);
  }

  public static SeriesKey ofProcess(Metric metric) {
    return new SeriesKey(metric, null, null, null);
  }

  public static SeriesKey ofTransport(String transport) {
    return new SeriesKey(Metric.TRANSPORT_RATE, null, null, transport);
  }
}
