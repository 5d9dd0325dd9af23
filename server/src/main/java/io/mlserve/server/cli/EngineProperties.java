package io.mlserve.server.cli;

/**
 * The DJL system properties every command that loads models sets before the engine starts,
 * each only where the user has not set it ({@code -D...} on the command line or in
 * {@code MLSERVE_JAVA_OPTS}): offline, no usage tracking, one inter-op thread, the intra-op
 * thread count the command uses, and TorchScript's graph optimizer off, as
 * {@link io.mlserve.server.engine.djl.DjlEngine} runs it by default (so DJL's own start-up line
 * does not report it enabled while every runner turns it off).
 *
 * <p>Not thread-safe in the sense that system properties are process-wide: call it from the
 * command's thread before the first engine use.
 */
final class EngineProperties {
  static final String GRAPH_OPTIMIZER = "ai.djl.pytorch.graph_optimizer";

  private EngineProperties() {}

  /** Sets the defaults above; {@code torchThreads} is the intra-op thread count. */
  static void setDefaults(int torchThreads) {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", String.valueOf(torchThreads));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    setIfAbsent(GRAPH_OPTIMIZER, "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
