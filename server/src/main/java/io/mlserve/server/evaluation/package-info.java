/**
 * Offline evaluation through the real engine: the server's side of {@code io.mlserve.evaluation}
 * (metrics, results, reports), which runs dataset batches on dedicated background instances of
 * the versions compared.
 */
package io.mlserve.server.evaluation;
