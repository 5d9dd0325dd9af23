/**
 * The REST gateway: {@link io.mlserve.server.http.HttpGateway} serves {@code POST
 * /api/v1/predict}, {@code POST /api/v1/batch} (and bulk jobs at {@code /api/v1/batch/{job}}),
 * the Open Inference Protocol's {@code /v2/...} REST paths, {@code /healthz}, {@code /readyz}
 * and {@code /metrics} over Netty (HTTP/1.1 keep-alive and pipelining, h2c upgrade), and, when
 * given a registry, the admin routes under {@code /api/v1/models} and {@code /api/v1/events}
 * ({@link io.mlserve.server.http.AdminApi}), whose file I/O runs on a small bounded pool.
 *
 * <p>Bulk jobs live in the server process only: a restart forgets them, running or finished.
 * A finished job's result is kept for the configured TTL; the table is bounded in jobs and in
 * reserved bytes, and a full table answers 503 with Retry-After.
 *
 * <p>Failures become HTTP statuses in one place, {@link io.mlserve.server.http.HttpErrors}.
 */
package io.mlserve.server.http;
