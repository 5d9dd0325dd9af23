package io.mlserve.server.history;

/**
 * One second's value of a series. {@code active}: the series' owner did something this second
 * (a version answered, queued or held a request; process and transport series always are):
 * only active points, and the first idle bucket after them, are persisted, so an idle version
 * costs no disk. Immutable; thread-safe.
 */
public record Point(SeriesKey key, double value, boolean active) {}
