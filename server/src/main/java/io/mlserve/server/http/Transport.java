package io.mlserve.server.http;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The socket transport: native epoll when the optional netty-transport-native-epoll jar and its
 * library are present, NIO otherwise. Epoll is looked up reflectively so that nothing here
 * needs it at compile or class-load time. Immutable; thread-safe.
 */
record Transport(String name, IoHandlerFactory factory, Class<? extends ServerChannel> serverChannel) {
  static Transport best() {
    try {
      Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
      if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
        IoHandlerFactory f = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
            .getMethod("newFactory").invoke(null);
        return new Transport("epoll", f, Class.forName(
            "io.netty.channel.epoll.EpollServerSocketChannel").asSubclass(ServerChannel.class));
      }
    } catch (ReflectiveOperationException | LinkageError | ClassCastException absent) {
      // fall back to NIO
    }
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
  }
}
