package io.mlserve.server.http;

import io.mlserve.server.http.route.HttpReply;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;

/**
 * {@link HttpObjectAggregator} whose 413 for an oversized body carries a JSON error like every
 * other refusal: both when the body turns out too large and when a request announces it with
 * {@code Expect: 100-continue} (curl does for bodies over 1 MiB; Netty's own answer there has
 * an empty body). As in Netty's own handling, the connection stays open when the body can still
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
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    return jsonContinueResponse(
        super.newContinueResponse(start, maxContentLength, pipeline), start, maxBodyBytes);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!refuseOversized(ctx, oversized, maxBodyBytes)) {
      super.handleOversizedMessage(ctx, oversized);
    }
  }

  /**
   * Netty's answer to {@code Expect: 100-continue}, with its empty 413 replaced by the JSON one
   * (the status, and so the aggregator's handling of the body that may follow, is the same).
   */
  static Object jsonContinueResponse(Object nettyAnswer, HttpMessage start, int maxBodyBytes) {
    if (nettyAnswer instanceof HttpResponse r
        && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
      ReferenceCountUtil.release(nettyAnswer);
      return GatewayHandler.toResponse(start.protocolVersion(), true, tooLarge(maxBodyBytes));
    }
    return nettyAnswer;
  }

  /**
   * Answers an oversized request with the JSON 413, closing the connection unless its body can
   * still be skipped.
   *
   * @return false when {@code oversized} is not a request (the caller's default applies)
   */
  static boolean refuseOversized(ChannelHandlerContext ctx, HttpMessage oversized,
      int maxBodyBytes) {
    if (!(oversized instanceof HttpRequest req)) {
      return false;
    }
    boolean keep = !(oversized instanceof FullHttpMessage)
        && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    ctx.writeAndFlush(GatewayHandler.toResponse(req.protocolVersion(), keep,
            tooLarge(maxBodyBytes)))
        .addListener(keep ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    return true;
  }

  private static HttpReply tooLarge(int maxBodyBytes) {
    return HttpErrors.of(413,
        "request body exceeds the limit of " + maxBodyBytes + " bytes", Map.of());
  }
}
