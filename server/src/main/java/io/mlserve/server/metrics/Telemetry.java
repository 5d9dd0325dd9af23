package io.mlserve.server.metrics;

import io.mlserve.server.batch.BatchResult;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry for mlserve: a span tree per request (request → batcher queue → engine batch,
 * with model, version and batch size as attributes) and the same metrics the Prometheus page
 * shows, as observable instruments read from the {@link MetricsRegistry} at collection time.
 *
 * <p>{@link #fromEnvironment} exports nothing unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or
 * another standard {@code OTEL_*_EXPORTER} variable) is set, in which case the SDK is configured
 * from the standard variables. Without an exporter the tracer is a no-op and spans cost nothing.
 *
 * <p>This class is thread-safe.
 */
public final class Telemetry implements AutoCloseable {
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("mlserve.model");
  static final AttributeKey<String> VERSION = AttributeKey.stringKey("mlserve.version");
  static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("mlserve.transport");
  static final AttributeKey<Long> BATCH_ROWS = AttributeKey.longKey("mlserve.batch_size");
  static final AttributeKey<Long> BATCH_REQUESTS = AttributeKey.longKey("mlserve.batch_requests");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("mlserve.outcome");

  private final OpenTelemetry otel;
  private final Tracer tracer;
  private final boolean tracing;
  private final AutoCloseable closer;

  /**
   * @param tracing whether spans are recorded (false: the request path does no tracing work)
   * @param closer flushes and shuts down exporters on {@link #close()}, may be null
   */
  public Telemetry(OpenTelemetry otel, boolean tracing, AutoCloseable closer) {
    this.otel = Objects.requireNonNull(otel, "otel");
    this.tracer = otel.getTracer("io.mlserve.server");
    this.tracing = tracing;
    this.closer = closer;
  }

  /** No telemetry at all. */
  public static Telemetry disabled() {
    return new Telemetry(OpenTelemetry.noop(), false, null);
  }

  /** Configured from the standard OTEL_* environment variables; disabled when none is set. */
  public static Telemetry fromEnvironment(Map<String, String> env) {
    boolean configured = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
        || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        || env.containsKey("OTEL_TRACES_EXPORTER")
        || env.containsKey("OTEL_METRICS_EXPORTER");
    if (!configured) {
      return disabled();
    }
    var sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", env.getOrDefault("OTEL_SERVICE_NAME", "mlserve"),
            "otel.logs.exporter", env.getOrDefault("OTEL_LOGS_EXPORTER", "none")))
        .build()
        .getOpenTelemetrySdk();
    return new Telemetry(sdk, true, sdk);
  }

  /** Whether spans are recorded. */
  public boolean tracing() {
    return tracing;
  }

  /**
   * Records the finished request's spans after the fact, from the batcher's timings.
   *
   * @param nowNanos ticker time now (the request's end)
   * @param submittedNanos ticker time the request was submitted
   * @param result the batch timings, null when it never ran
   * @param failure the failure, or null
   */
  public void recordRequest(
      String model, String version, String transport, long nowNanos, long submittedNanos,
      BatchResult result, Throwable failure) {
    if (!tracing) {
      return;
    }
    long epochNow = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    long offset = epochNow - nowNanos; // ticker time + offset = epoch time
    Span root = tracer.spanBuilder("mlserve.infer")
        .setSpanKind(SpanKind.SERVER)
        .setParent(Context.current())
        .setStartTimestamp(submittedNanos + offset, TimeUnit.NANOSECONDS)
        .setAttribute(MODEL, model)
        .setAttribute(VERSION, version)
        .setAttribute(TRANSPORT, transport)
        .startSpan();
    Context parent = Context.current().with(root);
    if (result != null) {
      root.setAttribute(BATCH_ROWS, (long) result.batchRows());
      root.setAttribute(BATCH_REQUESTS, (long) result.batchRequests());
      tracer.spanBuilder("mlserve.batcher.queue").setParent(parent)
          .setStartTimestamp(result.enqueuedNanos() + offset, TimeUnit.NANOSECONDS)
          .setAllAttributes(Attributes.of(MODEL, model, VERSION, version))
          .startSpan()
          .end(result.startedNanos() + offset, TimeUnit.NANOSECONDS);
      tracer.spanBuilder("mlserve.engine.predict").setParent(parent)
          .setStartTimestamp(result.startedNanos() + offset, TimeUnit.NANOSECONDS)
          .setAllAttributes(Attributes.of(MODEL, model, VERSION, version,
              BATCH_ROWS, (long) result.batchRows()))
          .startSpan()
          .end(result.startedNanos() + result.computeNanos() + offset, TimeUnit.NANOSECONDS);
    }
    if (failure != null) {
      root.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      root.setAttribute(OUTCOME, "error");
    } else {
      root.setAttribute(OUTCOME, "ok");
    }
    root.end(nowNanos + offset, TimeUnit.NANOSECONDS);
  }

  /**
   * Publishes the registry's metrics as observable OpenTelemetry instruments; they are read
   * when the SDK collects, so the request path does no extra work.
   */
  public void observe(MetricsRegistry registry) {
    Meter meter = otel.getMeter("io.mlserve.server");
    meter.counterBuilder("mlserve.requests")
        .setDescription("Inference requests that reached a model version, by outcome.")
        .buildWithCallback(m -> {
          for (ModelMetrics mm : registry.all()) {
            for (int o = 0; o < ModelMetrics.OUTCOMES.length; o++) {
              m.record(mm.outcomeCount(o), Attributes.of(MODEL, mm.model(), VERSION,
                  mm.version(), OUTCOME, ModelMetrics.OUTCOMES[o]));
            }
          }
        });
    meter.gaugeBuilder("mlserve.request.latency.p99")
        .setUnit("s")
        .setDescription("p99 of total request latency since start.")
        .buildWithCallback(m -> {
          for (ModelMetrics mm : registry.all()) {
            var h = mm.total().snapshot();
            m.record(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e6,
                Attributes.of(MODEL, mm.model(), VERSION, mm.version()));
          }
        });
    meter.gaugeBuilder("mlserve.queue.depth").ofLongs()
        .setDescription("Requests waiting in the batcher queue.")
        .buildWithCallback(m -> {
          for (ModelMetrics mm : registry.all()) {
            m.record(mm.queueDepth(), Attributes.of(MODEL, mm.model(), VERSION, mm.version()));
          }
        });
    meter.gaugeBuilder("mlserve.requests.in_flight").ofLongs()
        .setDescription("Requests accepted and not yet answered.")
        .buildWithCallback(m -> {
          for (ModelMetrics mm : registry.all()) {
            m.record(mm.inFlight(), Attributes.of(MODEL, mm.model(), VERSION, mm.version()));
          }
        });
    meter.counterBuilder("mlserve.batches")
        .setDescription("Batches run on the engine.")
        .buildWithCallback(m -> {
          for (ModelMetrics mm : registry.all()) {
            m.record(mm.batches(), Attributes.of(MODEL, mm.model(), VERSION, mm.version()));
          }
        });
  }

  @Override
  public void close() {
    if (closer != null) {
      try {
        closer.close();
      } catch (Exception e) {
        // best effort flush on shutdown
      }
    }
  }
}
