/**
 * A/B experiments, transport-free: {@link io.mlserve.server.experiment.Experiments} is the one
 * entry point. It keeps a bounded, time-limited log of recent predictions (request id →
 * model, version, outputs) that outcome feedback joins on; per model and split window, each
 * arm's requests, errors and latency and the outcomes that feedback brought (MAE and RMSE for
 * numeric labels, accuracy for class labels, rewards); and it reports them per arm with 95%
 * intervals and Welch's t-test against the baseline arm
 * ({@link io.mlserve.server.experiment.AbReport}). It throws only
 * {@link io.mlserve.server.core.InferenceException}; the gRPC adapter is
 * {@code io.mlserve.server.grpc.ExperimentsGrpcService}.
 */
package io.mlserve.server.experiment;
