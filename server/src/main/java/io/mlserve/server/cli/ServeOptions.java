package io.mlserve.server.cli;

import picocli.CommandLine.Option;

/** Flags shared by {@code serve} and {@code demo}. Plain data; not thread-safe. */
final class ServeOptions {
  @Option(names = "--grpc-port", defaultValue = "8500",
      description = "gRPC port (0 picks a free one). Default: ${DEFAULT-VALUE}")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "HTTP port for the REST gateway (0 picks a free one). Default: ${DEFAULT-VALUE}")
  int httpPort;

  @Option(names = "--bind", defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}")
  String bind;

  @Option(names = "--batching", defaultValue = "on",
      description = "on: each version's manifest decides; off: max batch size 1 for every model."
          + " Default: ${DEFAULT-VALUE}")
  String batching;

  @Option(names = "--max-batch-size",
      description = "Override every manifest's max_batch_size.")
  Integer maxBatchSize;

  @Option(names = "--max-queue-delay-us",
      description = "Override every manifest's max_queue_delay_us.")
  Long maxQueueDelayUs;

  @Option(names = "--instances",
      description = "Override every manifest's instances (batcher workers per version).")
  Integer instances;

  @Option(names = "--grpc-threads", defaultValue = "0",
      description = "Threads that decode and dispatch gRPC calls; 0 runs them on the transport's"
          + " event loops (direct executor). Default: ${DEFAULT-VALUE}")
  int grpcThreads;

  @Option(names = "--max-message-bytes", defaultValue = "16777216",
      description = "Largest request accepted, in bytes. Default: ${DEFAULT-VALUE}")
  int maxMessageBytes;

  @Option(names = "--torch-threads",
      description = "Intra-op threads of each batcher instance, for every model (overrides the"
          + " manifests' serving.threads_per_instance, whose default is 1)")
  Integer torchThreads;

  @Option(names = "--guard-window-seconds", defaultValue = "300",
      description = "After a reload, how long the post-promotion guard watches the new version"
          + " (0: off). Default: ${DEFAULT-VALUE}")
  long guardWindowSeconds;

  @Option(names = "--guard-max-error-rate", defaultValue = "0.01",
      description = "Roll back when the new version's error rate exceeds this. Default: ${DEFAULT-VALUE}")
  double guardMaxErrorRate;

  @Option(names = "--guard-max-p95-ms", defaultValue = "200",
      description = "Roll back when the new version's p95 latency exceeds this. Default: ${DEFAULT-VALUE}")
  long guardMaxP95Millis;

  @Option(names = "--guard-min-requests", defaultValue = "20",
      description = "Requests the guard needs before it judges. Default: ${DEFAULT-VALUE}")
  long guardMinRequests;

  @Option(names = "--check-finite", defaultValue = "true", arity = "1",
      description = "true: gRPC inference refuses NaN and infinite FP16/FP32/FP64 inputs with"
          + " INVALID_ARGUMENT; false: passes them to the model (for models that read NaN as"
          + " missing). REST always refuses non-finite and out-of-range numbers."
          + " Default: ${DEFAULT-VALUE}")
  boolean checkFinite;

  @Option(names = "--shutdown-grace-seconds", defaultValue = "30",
      description = "How long in-flight requests may take on shutdown. Default: ${DEFAULT-VALUE}")
  int shutdownGraceSeconds;
}
