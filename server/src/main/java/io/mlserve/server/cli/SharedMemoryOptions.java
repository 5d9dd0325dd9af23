package io.mlserve.server.cli;

import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The system shared-memory flags of {@code serve} and {@code demo} (a mixin of
 * {@link ServeOptions}). Shared memory lets any local process that can write {@code /dev/shm}
 * hand the server tensors, so it is on by default only for a server without an admin token:
 * with {@code MLSERVE_ADMIN_TOKEN} set it is off unless {@code --system-shared-memory} is given
 * (and then registering needs the token). Plain data; not thread-safe.
 */
final class SharedMemoryOptions {
  static final int MAX_REGIONS = 4096;

  @Option(names = "--system-shared-memory", negatable = true, description = "Let local clients"
      + " register /dev/shm regions and pass tensors through them (Triton's system shared"
      + " memory extension). Default: on without an admin token, off with one"
      + " (MLSERVE_ADMIN_TOKEN).")
  Boolean enabled;

  @Option(names = "--shm-max-regions", defaultValue = "64", description = "The most shared"
      + " memory regions registered at once (1 to " + MAX_REGIONS + ")."
      + " Default: ${DEFAULT-VALUE}")
  int maxRegions;

  @Option(names = "--shm-max-bytes", defaultValue = "4294967296", description = "The most"
      + " bytes of shared memory mapped at once. Default: ${DEFAULT-VALUE} (4 GiB)")
  long maxBytes;

  /** Whether the feature is on, given whether an admin token is configured. */
  boolean enabled(boolean adminToken) {
    return enabled != null ? enabled : !adminToken;
  }

  /** The registry these flags give; call after {@link #problems}. */
  SharedMemoryRegistry registry(boolean adminToken) {
    return enabled(adminToken) ? new SharedMemoryRegistry(true, maxRegions, maxBytes)
        : SharedMemoryRegistry.disabled();
  }

  void problems(List<String> out) {
    if (maxRegions < 1 || maxRegions > MAX_REGIONS) {
      out.add("--shm-max-regions must be between 1 and " + MAX_REGIONS + ", got " + maxRegions);
    }
    if (maxBytes < 1) {
      out.add("--shm-max-bytes must be positive, got " + maxBytes);
    }
  }
}
