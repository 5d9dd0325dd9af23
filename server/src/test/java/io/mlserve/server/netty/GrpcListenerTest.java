package io.mlserve.server.netty;

import static io.mlserve.server.testing.Sockets.assertClosedByServer;
import static io.mlserve.server.testing.Sockets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC port's connection cap and timeouts over loopback: a real Netty gRPC server built from
 * {@link GrpcListener}, small caps and timeouts of a few hundred milliseconds, bounded waits.
 */
class GrpcListenerTest {
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration LONG = Duration.ofSeconds(60);

  private GrpcListener listener;
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    listener.close();
  }

  private int start(ConnectionLimits limits) throws IOException {
    listener = GrpcListener.create(new InetSocketAddress("127.0.0.1", 0), limits,
        new ListenerStats("grpc", limits.maxConnections()));
    HealthStatusManager health = new HealthStatusManager();
    server = listener.builder().addService(health.getHealthService()).build().start();
    return server.getPort();
  }

  private ServingStatus check(ManagedChannel ch) {
    return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  @Test
  void aConnectionBeyondTheCapIsClosedAtOnceWhileTheExistingOneKeepsWorking() throws Exception {
    int port = start(ConnectionLimits.defaults().withMaxConnections(1));
    channel = channel(port);
    assertEquals(ServingStatus.SERVING, check(channel));
    try (Socket extra = new Socket("127.0.0.1", port)) {
      assertClosedByServer(extra);
    }
    assertEquals(1, listener.stats().refused());
    assertEquals(ServingStatus.SERVING, check(channel));
    assertEquals(1, listener.stats().open());
  }

  @Test
  void aClientThatNeverCompletesTheHandshakeIsCutAfterTheHeaderTimeout() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(LONG, SHORT, LONG));
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertClosedByServer(s);
    }
    await(() -> listener.stats().open() == 0, "the slot of the closed connection");
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(SHORT, LONG, LONG));
    channel = channel(port);
    assertEquals(ServingStatus.SERVING, check(channel));
    await(() -> listener.stats().open() == 0, "the idle connection to be closed");
    // The client reconnects transparently.
    assertEquals(ServingStatus.SERVING, check(channel));
  }
}
