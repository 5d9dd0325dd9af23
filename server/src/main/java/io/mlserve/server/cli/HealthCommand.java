package io.mlserve.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlserve health}: asks a server's {@code grpc.health.v1.Health} service; exit 0 when
 * SERVING. Used by the container's HEALTHCHECK.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Check a running server's gRPC health (exit 0 when SERVING).")
final class HealthCommand implements Callable<Integer> {
  @Option(names = "--target", defaultValue = "localhost:8500", description = "host:port of gRPC")
  String target;

  @Option(names = "--service", defaultValue = "",
      description = "A model name, or empty for the whole server")
  String service;

  @Override
  public Integer call() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      ServingStatus s = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
      System.out.println(s);
      return s == ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      System.out.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
