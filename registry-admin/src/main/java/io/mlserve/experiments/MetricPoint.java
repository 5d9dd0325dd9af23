package io.mlserve.experiments;

/**
 * One logged value of a metric: its step, value and when it was logged (epoch ms; 0 if unknown,
 * as for runs written by other tools). Immutable.
 */
public record MetricPoint(long step, double value, long timestamp) {}
