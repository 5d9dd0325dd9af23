package io.mlserve.registry;

import java.util.List;

/**
 * What {@link ModelRegistry#cleanup} removed, or would remove with {@code dryRun}: archived
 * versions as {@code model:version}, and stale temp directories left by crashed writers, with
 * their total size in bytes. Immutable.
 */
public record CleanupResult(List<String> removed, long bytes, boolean dryRun) {
  public CleanupResult {
    removed = List.copyOf(removed);
  }
}
