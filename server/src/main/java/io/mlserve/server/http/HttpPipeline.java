package io.mlserve.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
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
 * Sets up each accepted connection. HTTP/1.1: codec, keep-alive, aggregation with a JSON 413,
 * then the {@link GatewayHandler}. With h2c on, a connection may also switch to HTTP/2 by
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

  private final HttpOptions options;
  private final Routes routes;
  private final HttpGateway.InFlight inFlight;
  private final ChannelGroup channels;

  HttpPipeline(
      HttpOptions options, Routes routes, HttpGateway.InFlight inFlight, ChannelGroup channels) {
    this.options = options;
    this.routes = routes;
    this.inFlight = inFlight;
    this.channels = channels;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    if (!options.h2c()) {
      p.addLast(new HttpServerCodec());
      addHttp1(p);
      return;
    }
    HttpServerCodec codec = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec,
        protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(streamInitializer()))
            : null,
        options.maxBodyBytes());
    p.addLast(codec, upgrade);
    addHttp1(p);
  }

  private void addHttp1(ChannelPipeline p) {
    p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
    p.addLast(AGGREGATOR, new JsonAggregator(options.maxBodyBytes()));
    p.addLast(GATEWAY, new Http1Gateway(routes, inFlight));
  }

  private ChannelInitializer<Channel> streamInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel stream) {
        stream.pipeline().addLast(
            new Http2StreamFrameToHttpObjectCodec(true),
            new JsonAggregator(options.maxBodyBytes()),
            new GatewayHandler(routes, inFlight));
      }
    };
  }

  /**
   * The HTTP/1 gateway handler, which removes the HTTP/1 handlers once the connection switches
   * to HTTP/2 (its streams have their own).
   */
  private static final class Http1Gateway extends GatewayHandler {
    Http1Gateway(Routes routes, HttpGateway.InFlight inFlight) {
      super(routes, inFlight);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
        ChannelPipeline p = ctx.pipeline();
        p.remove(KEEP_ALIVE);
        p.remove(AGGREGATOR);
        p.remove(this);
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
