package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A bare gRPC server with only {@link EchoService}: the ceiling a model server's transport and
 * protocol handling can reach on a machine, against which the real server is compared.
 *
 * <p>Run it as {@code EchoServer --port 0}; it prints {@code echo: ready grpc_port=N} on stdout
 * once bound and stops gracefully on SIGTERM or Ctrl-C.
 *
 * <p>This class is thread-safe.
 */
public final class EchoServer {
  /** How long in-flight calls may take once a stop is asked for. */
  static final long GRACE_SECONDS = 5;

  private final Server server;

  /** Wraps {@code builder} (the caller picks transport, address and executor). */
  public EchoServer(ServerBuilder<?> builder) {
    this.server = requireNonNull(builder, "builder").addService(new EchoService()).build();
  }

  /** Netty on {@code address}, handlers on the transport threads ({@code directExecutor()}). */
  public static EchoServer netty(InetSocketAddress address) {
    return new EchoServer(NettyServerBuilder.forAddress(requireNonNull(address, "address"))
        .directExecutor());
  }

  /** Binds and starts serving. */
  public EchoServer start() throws IOException {
    server.start();
    return this;
  }

  /** The bound port; valid after {@link #start()}. */
  public int port() {
    return server.getPort();
  }

  /** Stops accepting calls, lets in-flight ones finish for a grace period, then cancels them. */
  public void stop() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
      server.shutdownNow();
      server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }

  @Command(name = "echo-server", mixinStandardHelpOptions = true,
      description = "gRPC OIP v2 server whose ModelInfer echoes its input as output 'forecast'.")
  private static final class Cli implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8500",
        description = "gRPC port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
        description = "Address to listen on. Default: ${DEFAULT-VALUE}")
    String bind;

    @Override
    public Integer call() throws Exception {
      EchoServer echo = EchoServer.netty(new InetSocketAddress(bind, port)).start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          echo.stop();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.out.println("echo: stopped");
        System.out.flush();
      }, "echo-shutdown"));
      System.out.println("echo: ready grpc_port=" + echo.port());
      System.out.flush();
      echo.awaitTermination();
      return 0;
    }
  }
}
