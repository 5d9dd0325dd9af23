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

  @Option(names = "--max-message-bytes", defaultValue = "16777216",
      description = "Largest request accepted, in bytes. Default: ${DEFAULT-VALUE}")
  int maxMessageBytes;

  @Option(names = "--torch-threads", defaultValue = "1",
      description = "Intra-op threads of each torch instance. Default: ${DEFAULT-VALUE}")
  int torchThreads;

  @Option(names = "--shutdown-grace-seconds", defaultValue = "30",
      description = "How long in-flight requests may take on shutdown. Default: ${DEFAULT-VALUE}")
  int shutdownGraceSeconds;
}
