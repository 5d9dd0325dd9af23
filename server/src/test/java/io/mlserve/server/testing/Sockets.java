package io.mlserve.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits of the connection tests over loopback. Stateless; thread-safe. */
public final class Sockets {
  private Sockets() {}

  /** Reads until the server closes {@code s} (end of stream or reset); fails after 20 s. */
  public static void assertClosedByServer(Socket s) throws IOException {
    s.setSoTimeout(20_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() != -1) {
        // whatever the server sent before closing
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server did not close the connection", e);
    } catch (IOException reset) {
      // closed with unread data: a reset is a close too
    }
  }

  /** Polls {@code condition} until true; fails after 20 s naming {@code what}. */
  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }
}
