/**
 * The dashboard's metrics over time, off the request path:
 * {@link io.mlserve.server.history.MetricsSampler} turns the server's cumulative counters into
 * one point per series and second, once a second, on a thread of its own
 * ({@link io.mlserve.server.history.MetricsHistory} runs it); the last five minutes stay in
 * memory ({@link io.mlserve.server.history.LiveRing}); {@link io.mlserve.server.history.Downsampler}s
 * fold them into 10 s and 1 min buckets that {@link io.mlserve.server.history.HistoryStore}
 * appends to {@code <store>/.history/} (format: {@code SegmentFormat}) with retention and size
 * caps, and {@link io.mlserve.server.history.HistoryReader} reads back. Best effort: an I/O
 * failure is logged and never reaches serving. The HTTP endpoints are
 * {@code http.inference.MetricsApi}.
 */
package io.mlserve.server.history;
