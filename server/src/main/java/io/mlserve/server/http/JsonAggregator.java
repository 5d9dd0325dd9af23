package io.mlserve.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Map;

/**
 * {@link HttpObjectAggregator} whose 413 for an oversized body carries a JSON error like every
 * other refusal. As in Netty's own handling, the connection stays open when the body can still
 * be skipped (keep-alive, announced by Content-Length) and is closed otherwise.
 *
 * <p>Not sharable; one per channel.
 */
final class JsonAggregator extends HttpObjectAggregator {
  private final int maxBodyBytes;

  JsonAggregator(int maxBodyBytes) {
    super(maxBodyBytes);
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest req)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    boolean keep = !(oversized instanceof FullHttpMessage)
        && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    HttpReply reply = HttpErrors.of(413,
        "request body exceeds the limit of " + maxBodyBytes + " bytes", Map.of());
    ctx.writeAndFlush(GatewayHandler.toResponse(req.protocolVersion(), keep, reply))
        .addListener(keep ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
  }
}
