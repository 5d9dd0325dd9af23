/**
 * Live drift detection, transport-free: {@link io.mlserve.server.drift.DriftMonitor} is the one
 * entry point. The serving path {@code offer}s each answered request to its version's
 * {@link io.mlserve.server.drift.DriftSampler} (a fixed window of the last sampled rows, written
 * without locks or allocation); every interval one background thread compares each window with
 * the version's reference profile ({@code versions/<v>/reference.json}, else the first live
 * rows): PSI and the KS statistic per feature ({@link io.mlserve.server.drift.DriftMath}), the
 * share of drifted features, prediction drift on the outputs, and performance drift from
 * outcome feedback against the version's stored evaluation.
 * {@link io.mlserve.server.drift.DriftReport} is what the REST route, the gRPC service,
 * {@code mlctl drift} and {@code /metrics} ({@link io.mlserve.server.drift.DriftMetricsText})
 * read; {@link io.mlserve.server.drift.DriftView} is what alert rules read.
 */
package io.mlserve.server.drift;
