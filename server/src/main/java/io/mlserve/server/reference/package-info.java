/**
 * Drift reference profiles through the real engine: the server's side of
 * {@code io.mlserve.drift.ReferenceComputer}, which runs a version over its reference rows on a
 * dedicated background instance so that the profile holds the version's outputs as well.
 */
package io.mlserve.server.reference;
