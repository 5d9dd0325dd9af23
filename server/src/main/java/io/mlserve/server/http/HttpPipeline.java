package io.mlserve.server.http;

import io.mlserve.server.http.route.Routes;
import io.mlserve.server.netty.ListenerStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;

/**
 * Sets up each accepted connection. HTTP/1.1: read timeouts ({@link HttpTimeouts}, around the
 * codec), codec, keep-alive, aggregation with a JSON 413, then the {@link GatewayHandler}. With h2c on, a connection may also switch to HTTP/2 by
 * {@code Upgrade: h2c} (prior-knowledge HTTP/2 without the upgrade is not offered); each HTTP/2
 * stream then gets
 * its own HTTP/1-style pipeline (frames converted to HTTP objects), so endpoints never see the
 * difference.
 *
 * <p>Sharable; thread-safe.
 */
@ChannelHandler.Sharable
final class HttpPipeline extends ChannelInitializer<Channel> {
  private static final String KEEP_ALIVE = "keep-alive";
  private static final String AGGREGATOR = "aggregator";
  private static final String GATEWAY = "gateway";
  private static final String TIMEOUTS = "timeouts";
  /** The largest socket read: bounds how many pipelined requests one read can decode. */
  static final int MAX_READ_BYTES = 64 * 1024;
  /**
   * The codec's limit on requests decoded but not yet answered (Netty's default, 128, closed a
   * connection that pipelined more). The gateway stops reading at a few pending requests, but
   * the requests already in one read are all decoded: the smallest request line is 18 bytes, so
   * one read of {@link #MAX_READ_BYTES} holds fewer than this, and the bound is never reached.
   */
  static final int MAX_PIPELINE_DEPTH = MAX_READ_BYTES / 16 + 64;

  private final HttpOptions options;
  private final Routes routes;
  private final HttpGateway.InFlight inFlight;
  private final ChannelGroup channels;
  private final ListenerStats stats;

  HttpPipeline(HttpOptions options, Routes routes, HttpGateway.InFlight inFlight,
      ChannelGroup channels, ListenerStats stats) {
    this.options = options;
    this.routes = routes;
    this.inFlight = inFlight;
    this.channels = channels;
    this.stats = stats;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    HttpTimeouts timeouts = new HttpTimeouts(options.connectionLimits(), stats);
    p.addLast(timeouts.bytes());
    HttpServerCodec codec = new HttpServerCodec(new HttpDecoderConfig(), MAX_PIPELINE_DEPTH);
    p.addLast(codec);
    p.addLast(TIMEOUTS, timeouts.messages());
    if (options.h2c()) {
      p.addLast(new JsonUpgradeHandler(codec,
          protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
              ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                  new Http2MultiplexHandler(streamInitializer(timeouts)))
              : null,
          options.maxBodyBytes()));
    }
    p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
    p.addLast(AGGREGATOR, new JsonAggregator(options.maxBodyBytes()));
    p.addLast(GATEWAY, new Http1Gateway(routes, inFlight, timeouts));
  }

  private ChannelInitializer<Channel> streamInitializer(HttpTimeouts timeouts) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel stream) {
        stream.pipeline().addLast(
            timeouts.stream(),
            new Http2StreamFrameToHttpObjectCodec(true),
            new JsonAggregator(options.maxBodyBytes()),
            new GatewayHandler(routes, inFlight));
      }
    };
  }

  /**
   * The h2c upgrade handler, which aggregates an upgrade request's body itself: its 413 carries
   * a JSON error too.
   */
  private static final class JsonUpgradeHandler extends HttpServerUpgradeHandler {
    private final int maxBodyBytes;

    JsonUpgradeHandler(SourceCodec codec, UpgradeCodecFactory factory, int maxBodyBytes) {
      super(codec, factory, maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      return JsonAggregator.jsonContinueResponse(
          super.newContinueResponse(start, maxContentLength, pipeline), start, maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
        throws Exception {
      if (!JsonAggregator.refuseOversized(ctx, oversized, maxBodyBytes)) {
        super.handleOversizedMessage(ctx, oversized);
      }
    }
  }

  /**
   * The HTTP/1 gateway handler, which removes the HTTP/1 handlers once the connection switches
   * to HTTP/2 (its streams have their own).
   */
  private static final class Http1Gateway extends GatewayHandler {
    private final HttpTimeouts timeouts;

    Http1Gateway(Routes routes, HttpGateway.InFlight inFlight, HttpTimeouts timeouts) {
      super(routes, inFlight);
      this.timeouts = timeouts;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
        ChannelPipeline p = ctx.pipeline();
        p.remove(KEEP_ALIVE);
        p.remove(AGGREGATOR);
        p.remove(TIMEOUTS);
        p.remove(this);
        timeouts.upgradedToHttp2();
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
