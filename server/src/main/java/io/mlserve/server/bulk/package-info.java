/**
 * Bulk jobs, free of any transport: {@link io.mlserve.server.bulk.ChunkedInference} runs many
 * rows through {@code serving.InferenceService} in chunks of at most the model's batch size with
 * a bounded window, {@link io.mlserve.server.bulk.BulkJob} holds one job's state and result, and
 * {@link io.mlserve.server.bulk.BulkJobs} is the table bounded in jobs and reserved bytes (jobs
 * live in this process only; a finished job is kept for a TTL on the injected ticker). Refusals
 * are typed: {@code InferenceException} NOT_FOUND for an unknown or expired job,
 * RESOURCE_EXHAUSTED for a full table, {@link io.mlserve.server.bulk.BulkJobTooLargeException}
 * for a job larger than the whole memory bound; the transports map them. Must not import Netty
 * or anything from {@code io.mlserve.server.http}.
 */
package io.mlserve.server.bulk;
