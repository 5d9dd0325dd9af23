package io.mlserve.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.BatchResult;
import io.mlserve.server.tensor.Tensor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  @Test
  void recordsARequestSpanWithQueueAndEngineChildren() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    Telemetry t = new Telemetry(sdk, true, sdk);
    long submitted = 1_000_000_000L;
    long enqueued = submitted + 1_000;
    long started = enqueued + TimeUnit.MICROSECONDS.toNanos(300);
    long compute = TimeUnit.MICROSECONDS.toNanos(50);
    BatchResult r = new BatchResult(new Tensor[0], enqueued, started, compute, 17, 9);
    t.recordRequest("curve", "1.2.0", "grpc", started + compute + 500, submitted, r, null);

    List<SpanData> done = spans.getFinishedSpanItems();
    assertEquals(3, done.size());
    SpanData root = done.stream().filter(s -> s.getName().equals("mlserve.infer")).findFirst()
        .orElseThrow();
    SpanData queue = done.stream().filter(s -> s.getName().equals("mlserve.batcher.queue"))
        .findFirst().orElseThrow();
    SpanData engine = done.stream().filter(s -> s.getName().equals("mlserve.engine.predict"))
        .findFirst().orElseThrow();
    assertEquals("curve", root.getAttributes().get(AttributeKey.stringKey("mlserve.model")));
    assertEquals("1.2.0", root.getAttributes().get(AttributeKey.stringKey("mlserve.version")));
    assertEquals(17L, root.getAttributes().get(AttributeKey.longKey("mlserve.batch_size")));
    assertEquals(17L, engine.getAttributes().get(AttributeKey.longKey("mlserve.batch_size")));
    assertEquals(root.getSpanId(), queue.getParentSpanId());
    assertEquals(root.getSpanId(), engine.getParentSpanId());
    assertEquals(TimeUnit.MICROSECONDS.toNanos(300),
        queue.getEndEpochNanos() - queue.getStartEpochNanos());
    assertEquals(compute, engine.getEndEpochNanos() - engine.getStartEpochNanos());
    assertTrue(root.getEndEpochNanos() - root.getStartEpochNanos()
        >= engine.getEndEpochNanos() - queue.getStartEpochNanos());
  }

  @Test
  void disabledTelemetryRecordsNothingAndCostsNothing() {
    Telemetry t = Telemetry.disabled();
    t.recordRequest("m", "1", "grpc", 2, 1, null, null); // must not throw
    assertTrue(!t.tracing());
    assertTrue(!Telemetry.fromEnvironment(Map.of()).tracing());
  }

  @Test
  void publishesTheRegistryAsObservableInstruments() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
        .build();
    MetricsRegistry registry = new MetricsRegistry();
    ModelMetrics m = registry.forVersion("curve", "1.2.0");
    for (int i = 0; i < 5; i++) {
      m.requestStarted();
      m.requestFinished(TimeUnit.MILLISECONDS.toNanos(2), null);
    }
    new Telemetry(sdk, false, sdk).observe(registry);
    MetricData requests = reader.collectAllMetrics().stream()
        .filter(d -> d.getName().equals("mlserve.requests")).findFirst().orElseThrow();
    long ok = requests.getLongSumData().getPoints().stream()
        .filter(p -> "ok".equals(p.getAttributes().get(AttributeKey.stringKey("mlserve.outcome"))))
        .mapToLong(p -> p.getValue()).sum();
    assertEquals(5, ok);
  }
}
