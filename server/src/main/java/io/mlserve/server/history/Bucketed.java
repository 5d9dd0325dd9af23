package io.mlserve.server.history;

/**
 * One downsampled value of a series: the fold of its one-second points in the bucket that
 * starts at {@code epochSecond}. Immutable; thread-safe.
 */
public record Bucketed(SeriesKey key, long epochSecond, float value) {}
