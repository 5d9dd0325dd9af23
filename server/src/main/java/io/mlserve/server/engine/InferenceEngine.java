package io.mlserve.server.engine;

import io.mlserve.store.Manifest;
import java.nio.file.Path;

/**
 * Loads model artifacts of the formats it supports. Implementations are thread-safe.
 */
public interface InferenceEngine {
  /** Whether this engine loads the manifest's format (e.g. {@code torchscript}). */
  boolean supports(String format);

  /**
   * Loads the artifact of a registered version.
   *
   * @param versionDir the version's directory, holding the artifact the manifest names
   * @throws Exception naming what failed: missing file, corrupt artifact, unsupported device
   */
  LoadedModel load(Path versionDir, Manifest manifest) throws Exception;

  /**
   * Starts this engine's runtime (e.g. loads its native libraries) ahead of the first
   * {@link #load}, so that a server can do it beside its other start-up work. Idempotent and
   * safe to run concurrently with {@code load}, which waits for a start under way. Nothing to
   * do by default.
   *
   * @throws Exception when the runtime cannot start ({@code load} then reports it again)
   */
  default void start() throws Exception {}
}
