package io.mlserve.server.cli;

import io.mlserve.server.netty.ConnectionLimits;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

  // ---- Connection limits (per listener: HTTP and gRPC each). Bounded; see ConnectionLimits. --
  private static final long MAX_SECONDS = ConnectionLimits.MAX_TIMEOUT.toSeconds();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  int maxConnections = ConnectionLimits.defaultMaxConnections();
  long idleTimeoutSeconds;
  long headerTimeoutSeconds;
  long bodyTimeoutSeconds;
  long grpcMaxConnectionAgeSeconds;
  long grpcMaxConnectionAgeGraceSeconds;
  long grpcPermitKeepAliveSeconds;

  @Option(names = "--max-connections",
      description = "Connections each listener (HTTP, gRPC) holds open at once; more are accepted"
          + " and closed at once (1..1000000). Default: 10000, or a quarter of the process's"
          + " file-descriptor limit when that is less")
  void maxConnections(int v) {
    maxConnections = (int) bounded(v, 1, ConnectionLimits.MAX_CONNECTIONS, "--max-connections");
  }

  @Option(names = "--idle-timeout-seconds", defaultValue = "300",
      description = "Close a connection with no request in flight for this long (gRPC:"
          + " maxConnectionIdle; 1..86400). Default: ${DEFAULT-VALUE}")
  void idleTimeoutSeconds(long v) {
    idleTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--idle-timeout-seconds");
  }

  @Option(names = "--header-timeout-seconds", defaultValue = "10",
      description = "Close an HTTP connection whose request headers take longer than this from"
          + " their first byte; gRPC: the time to complete the HTTP/2 handshake (1..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void headerTimeoutSeconds(long v) {
    headerTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--header-timeout-seconds");
  }

  @Option(names = "--body-timeout-seconds", defaultValue = "60",
      description = "Close an HTTP connection whose request body takes longer than this after"
          + " its headers (1..86400). Default: ${DEFAULT-VALUE}")
  void bodyTimeoutSeconds(long v) {
    bodyTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--body-timeout-seconds");
  }

  @Option(names = "--grpc-max-connection-age-seconds", defaultValue = "0",
      description = "Ask gRPC clients to reconnect after this long (0: never; 0..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void grpcMaxConnectionAgeSeconds(long v) {
    grpcMaxConnectionAgeSeconds = bounded(v, 0, MAX_SECONDS, "--grpc-max-connection-age-seconds");
  }

  @Option(names = "--grpc-max-connection-age-grace-seconds", defaultValue = "30",
      description = "After the connection age, how long calls in flight may finish (0..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void grpcMaxConnectionAgeGraceSeconds(long v) {
    grpcMaxConnectionAgeGraceSeconds =
        bounded(v, 0, MAX_SECONDS, "--grpc-max-connection-age-grace-seconds");
  }

  @Option(names = "--grpc-permit-keepalive-seconds", defaultValue = "300",
      description = "Disconnect gRPC clients that send keepalive pings more often than this"
          + " (1..86400). Default: ${DEFAULT-VALUE}")
  void grpcPermitKeepAliveSeconds(long v) {
    grpcPermitKeepAliveSeconds = bounded(v, 1, MAX_SECONDS, "--grpc-permit-keepalive-seconds");
  }

  /** The connection cap and timeouts these flags give, for both listeners. */
  ConnectionLimits connectionLimits() {
    return new ConnectionLimits(maxConnections, Duration.ofSeconds(idleTimeoutSeconds),
        Duration.ofSeconds(headerTimeoutSeconds), Duration.ofSeconds(bodyTimeoutSeconds),
        Duration.ofSeconds(grpcMaxConnectionAgeSeconds),
        Duration.ofSeconds(grpcMaxConnectionAgeGraceSeconds),
        Duration.ofSeconds(grpcPermitKeepAliveSeconds));
  }

  private long bounded(long v, long min, long max, String flag) {
    if (v < min || v > max) {
      throw new ParameterException(spec.commandLine(),
          flag + " must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }
}
