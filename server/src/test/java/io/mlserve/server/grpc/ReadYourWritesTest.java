package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.admin.v1.ClearTrafficRequest;
import io.mlserve.proto.admin.v1.GetTrafficRequest;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.SetTrafficRequest;
import io.mlserve.proto.admin.v1.TrafficArm;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change through the server's admin service is in force on that server when the call
 * returns. The fixture does not follow the event log, so nothing but the admin call itself can
 * have applied it.
 */
class ReadYourWritesTest {
  private static final String MODEL = "curve_forecaster";
  @TempDir Path dir;
  private ServerFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = ServerFixture.withAdminOnly(dir);
    fx.registerDemo("1.0.0", true);
    fx.registerDemo("1.1.0", true);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void aSplitSetThroughTheServerRoutesWhenTheCallReturns() {
    ModelRegistryGrpc.ModelRegistryBlockingStub admin =
        ModelRegistryGrpc.newBlockingStub(fx.channel);
    assertNull(fx.server.router().arms(MODEL));
    admin.setTraffic(SetTrafficRequest.newBuilder().setModel(MODEL)
        .addArms(arm("1.0.0", 90)).addArms(arm("1.1.0", 10)).setReason("a/b").build());
    assertNotNull(fx.server.router().arms(MODEL), "applied before the answer");
    assertEquals(2, fx.server.router().arms(MODEL).weights().size());

    // A refused change answers its error at once and changes nothing.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> admin.setTraffic(SetTrafficRequest.newBuilder().setModel(MODEL)
            .addArms(arm("9.9.9", 100)).build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), e.getMessage());
    assertEquals(2, fx.server.router().arms(MODEL).weights().size());

    admin.getTraffic(GetTrafficRequest.newBuilder().setModel(MODEL).build());
    admin.clearTraffic(ClearTrafficRequest.newBuilder().setModel(MODEL).setReason("done")
        .build());
    assertNull(fx.server.router().arms(MODEL), "cleared before the answer");
  }

  private static TrafficArm arm(String version, double weight) {
    return TrafficArm.newBuilder().setVersion(version).setWeight(weight).build();
  }

  @Test
  void readsAreNotHeld() {
    assertTrue(ReadYourWrites.isRead("GetTraffic"));
    assertTrue(ReadYourWrites.isRead("ListModels"));
    assertTrue(ReadYourWrites.isRead("History"));
    assertTrue(ReadYourWrites.isRead("WatchEvents"));
    assertFalse(ReadYourWrites.isRead("SetTraffic"));
    assertFalse(ReadYourWrites.isRead("Promote"));
  }
}
