/**
 * The REST transport: {@link io.mlserve.server.http.HttpGateway} runs Netty (HTTP/1.1 keep-alive
 * and pipelining, h2c upgrade, connection and timeout limits), routes each request through
 * {@link io.mlserve.server.http.Routes} to an {@link io.mlserve.server.http.Endpoint} as a
 * Netty-free {@link io.mlserve.server.http.HttpCall}/{@link io.mlserve.server.http.HttpReply}
 * pair, answers the transport's own {@code /healthz}, {@code /readyz} and {@code /metrics}, and
 * wires the APIs that register routes: inference ({@code http.inference}), admin
 * ({@code http.admin}) and the bulk-job table ({@code bulk}). Failures become HTTP statuses in
 * one place, {@link io.mlserve.server.http.HttpErrors}, over the shared table
 * {@link io.mlserve.server.core.Failure}. Only this package imports Netty's HTTP classes; the
 * APIs import its routing types, never its pipeline, and {@code bulk} and {@code json} import
 * nothing from it.
 */
package io.mlserve.server.http;
