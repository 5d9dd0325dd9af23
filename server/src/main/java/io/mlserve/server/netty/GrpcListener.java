package io.mlserve.server.netty;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gRPC port's transport with its connection limits: a {@link NettyServerBuilder} whose
 * listening channel refuses connections beyond the cap at accept (closed before they get an
 * event loop or an HTTP/2 handler, counted in {@link ListenerStats}), and whose connections are
 * timed out by grpc-java's own settings: {@code handshakeTimeout} (the header timeout: a client
 * must complete the HTTP/2 preface in time), {@code maxConnectionIdle} (the idle timeout: no call
 * open), {@code maxConnectionAge} and its grace when set, and {@code permitKeepAliveTime}.
 *
 * <p>grpc-java takes a custom listening channel only together with event-loop groups of the
 * caller's, so this class owns them (epoll when available, NIO otherwise, as grpc-java's
 * defaults) and shuts them down on {@link #close()}, after the server has terminated. The body
 * timeout has no gRPC counterpart here: a call's time is bounded by its deadline.
 *
 * <p>This class is thread-safe.
 */
public final class GrpcListener implements AutoCloseable {
  private final ListenerStats stats;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final NettyServerBuilder builder;

  private GrpcListener(SocketAddress address, ConnectionLimits limits, ListenerStats stats) {
    this.stats = Objects.requireNonNull(stats, "stats");
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Supplier<ServerChannel> channel =
        epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    this.boss = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("grpc-accept", true), io);
    this.workers = new MultiThreadIoEventLoopGroup(0,
        new DefaultThreadFactory("grpc-io", true), io);
    AcceptCap cap = new AcceptCap(stats);
    NettyServerBuilder b = NettyServerBuilder.forAddress(address)
        .channelFactory(() -> {
          ServerChannel ch = channel.get();
          ch.pipeline().addLast(cap);
          return ch;
        })
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .maxConnectionIdle(limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(limits.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (!limits.maxConnectionAge().isZero()) {
      b.maxConnectionAge(limits.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
          .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
    }
    this.builder = b;
  }

  /**
   * A listener on {@code address} with {@code limits}, counting into {@code stats} (whose
   * {@link ListenerStats#maxConnections()} is the cap).
   */
  public static GrpcListener create(
      SocketAddress address, ConnectionLimits limits, ListenerStats stats) {
    return new GrpcListener(address, limits, stats);
  }

  /** The builder to add services and options to; build it once. */
  public NettyServerBuilder builder() {
    return builder;
  }

  public ListenerStats stats() {
    return stats;
  }

  /** Stops the event loops; call after the gRPC server has terminated. Idempotent. */
  @Override
  public void close() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * Takes a slot per accepted connection and closes one beyond the cap at once; the twin of the
   * HTTP gateway's, for grpc's shaded copy of Netty. Sharable; thread-safe.
   */
  @ChannelHandler.Sharable
  private static final class AcceptCap extends ChannelInboundHandlerAdapter {
    private final ListenerStats stats;

    AcceptCap(ListenerStats stats) {
      this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      if (!stats.tryOpen(child.remoteAddress())) {
        child.unsafe().closeForcibly();
        return;
      }
      child.closeFuture().addListener(f -> stats.closed());
      ctx.fireChannelRead(child);
    }
  }
}
