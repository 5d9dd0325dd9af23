package io.mlserve.server.http;

import io.mlserve.server.netty.ListenerStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The gateway's connection cap, on the listening channel: each accepted connection takes a slot
 * of {@link ListenerStats} and gives it back when it closes; one beyond the cap is closed at once,
 * before it is registered with an event loop or given a pipeline, so a flood of connections
 * costs an accept and a close each (counted and logged, rate-limited, by the stats).
 *
 * <p>Sharable; thread-safe.
 */
@ChannelHandler.Sharable
final class AcceptCap extends ChannelInboundHandlerAdapter {
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
