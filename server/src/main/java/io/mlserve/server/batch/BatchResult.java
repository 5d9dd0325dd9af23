package io.mlserve.server.batch;

import io.mlserve.server.tensor.Tensor;

/**
 * What one request got from its batch: its outputs (signature order, its own rows only) and how
 * its time was spent, for metrics and tracing.
 *
 * @param outputs the request's outputs
 * @param enqueuedNanos ticker time the request was queued
 * @param startedNanos ticker time its batch started on the engine
 * @param computeNanos the engine's time for the whole batch
 * @param batchRows rows in the batch it ran in
 * @param batchRequests requests in the batch it ran in
 */
public record BatchResult(
    Tensor[] outputs,
    long enqueuedNanos,
    long startedNanos,
    long computeNanos,
    int batchRows,
    int batchRequests) {}
