package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ServerLauncherTest {
  @Test
  void recognisesTheWaysNettyAndTheJdkReportAFailedBind() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      BindException jdk = org.junit.jupiter.api.Assertions.assertThrows(BindException.class,
          () -> new ServerSocket(taken.getLocalPort()).close());
      assertEquals("address already in use", ServerLauncher.bindFailure(
          new IOException("Failed to bind to address 0.0.0.0/0.0.0.0:8500", jdk)));
    }
    // Netty's native transports: an IOException whose message carries the errno text.
    assertEquals("address already in use", ServerLauncher.bindFailure(
        new IOException("bind(..) failed: Address already in use")));
    assertEquals("Permission denied", ServerLauncher.bindFailure(
        new IOException("bind(..) failed: Permission denied")));
    assertEquals("Cannot assign requested address", ServerLauncher.bindFailure(
        new BindException("Cannot assign requested address")));
    assertNull(ServerLauncher.bindFailure(new IOException("disk full")));
  }
}
