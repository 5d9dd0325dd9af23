package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.Event;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.WatchEventsRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlctl events} without {@code --follow} prints the whole backlog however slowly the
 * server sends it, and never exits 0 without having heard the server's end-of-backlog marker.
 */
class MlctlEventsTest {
  @TempDir Path tmp;
  private final ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
  private Server server;


  @AfterEach
  void tearDown() throws Exception {
    slow.shutdownNow();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }


  private static Event event(long seq) {
    return Event.newBuilder().setSeq(seq).setEventType("ml.model.registered.v1")
        .setJson("{\"seq\":" + seq + "}").build();
  }

  /**
   * A registry whose WatchEvents sends its backlog (seq 1..3) only after {@code delayMs}, then
   * the marker if asked for it and {@code marks}, then keeps the stream open.
   */
  private String serverSendingBacklogAfter(long delayMs, boolean marks) throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new ModelRegistryGrpc.ModelRegistryImplBase() {
          @Override
          public void watchEvents(WatchEventsRequest req, StreamObserver<Event> out) {
            ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) out;
            call.setOnCancelHandler(() -> { });
            slow.schedule(() -> {
              for (long seq = req.getSinceSeq() + 1; seq <= 3; seq++) {
                out.onNext(event(seq));
              }
              if (marks && req.getReportCaughtUp()) {
                out.onNext(Event.newBuilder().setCaughtUp(true).setSeq(3).build());
              }
            }, delayMs, TimeUnit.MILLISECONDS);
          }
        }).build().start();
    return "127.0.0.1:" + server.getPort();
  }

  @Test
  void printsABacklogThatArrivesLate() throws Exception {
    String target = serverSendingBacklogAfter(1500, true);
    Mlctl.Result r = Mlctl.run("--server", target, "--output", "json", "events");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of("{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}"), r.out().lines().toList());
    r = Mlctl.run("--server", target, "--output", "json", "events", "--since", "2");
    assertEquals(List.of("{\"seq\":3}"), r.out().lines().toList());
  }

  @Test
  void anEmptyBacklogIsSaid() throws Exception {
    String target = serverSendingBacklogAfter(0, true);
    Mlctl.Result r = Mlctl.run("--server", target, "events", "--since", "3");
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals("mlctl: no events after seq 3", r.err().strip());
  }

  @Test
  void aServerThatNeverMarksTheEndIsAnErrorAfterTheTimeout() throws Exception {
    String target = serverSendingBacklogAfter(0, false);
    Mlctl.Result r = Mlctl.run("--server", target, "events", "--timeout", "1");
    assertEquals(1, r.code(), r.out());
    assertTrue(r.err().startsWith("mlctl: the server did not finish sending the events within"
        + " 1 s"), r.err());
  }

  @Test
  void anUnreachableServerIsAnErrorNamingTheAddress() throws Exception {
    int port = Mlctl.closedPort();
    Mlctl.Result r = Mlctl.run("--server", "127.0.0.1:" + port, "events");
    assertEquals(1, r.code(), r.out());
    assertEquals("mlctl: cannot reach the admin server at 127.0.0.1:" + port
        + ": connection refused", r.err().strip());
  }

  @Test
  void theRealServiceMarksTheEndOfTheBacklog() throws Exception {
    Path store = tmp.resolve("store");
    assertEquals(0, Mlctl.run("--store", store.toString(), "run", "create", "--model", "m")
        .code());
    Mlctl.Result r = Mlctl.run("--store", store.toString(), "--output", "json", "events");
    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.out().lines().count(), r.out());
    assertTrue(r.out().startsWith("{\"event_type\":\"ml.run.created.v1\""), r.out());
    r = Mlctl.run("--store", store.toString(), "events", "--since", "1");
    assertEquals(0, r.code(), r.err());
    assertEquals("mlctl: no events after seq 1", r.err().strip());
  }
}
