package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.ModelStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelStreamInfer against a real server on loopback (Netty, the TorchScript demo model): many
 * requests on one stream, each answered with its id and the reference output, failures answered
 * in the stream with {@code error_message} while the stream goes on.
 */
class StreamInferIntegrationTest {
  private static final String MODEL = "curve_forecaster";

  @TempDir static Path dir;
  private static MlServer server;
  private static ManagedChannel channel;
  private static StreamInfer streams;
  private static JsonNode examples;

  @BeforeAll
  static void start() throws Exception {
    ModelStore store = DemoModel.productionStore(dir);
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    streams = new StreamInfer(16);
    server = MlServer.builder(NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0)), store, loader)
        .followEvents(false).streams(streams).build();
    assertTrue(server.start().isEmpty());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
        .build();
    examples = DemoModel.examples();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.shutdown(5, TimeUnit.SECONDS);
  }

  static ModelInferRequest request(String id, int row, String inputName) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(examples.get("inputs"), row)) {
      c.addFp32Contents(v);
    }
    return ModelInferRequest.newBuilder().setModelName(MODEL).setId(id)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(inputName)
            .setDatatype("FP32").addShape(1).addShape(24).setContents(c))
        .build();
  }

  /** Sends {@code requests} on one stream, half-closes, and collects the answers by id. */
  private static Map<String, ModelStreamInferResponse> stream(List<ModelInferRequest> requests)
      throws InterruptedException {
    Map<String, ModelStreamInferResponse> byId = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    StreamObserver<ModelInferRequest> out = GRPCInferenceServiceGrpc.newStub(channel)
        .modelStreamInfer(new StreamObserver<>() {
          @Override
          public void onNext(ModelStreamInferResponse r) {
            assertNull(byId.put(r.getInferResponse().getId(), r), "answered twice");
          }

          @Override
          public void onError(Throwable t) {
            failed.set(t);
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    requests.forEach(out::onNext);
    out.onCompleted();
    assertTrue(done.await(60, TimeUnit.SECONDS), "the stream did not complete");
    assertNull(failed.get(), "the stream failed");
    return byId;
  }

  private static void assertReference(ModelStreamInferResponse r, int row) {
    assertEquals("", r.getErrorMessage());
    var got = r.getInferResponse().getOutputs(0).getContents().getFp32ContentsList();
    float[] want = DemoModel.row(examples.get("outputs"), row);
    assertEquals(want.length, got.size());
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got.get(i), 1e-5, "row " + row + " element " + i);
    }
  }

  @Test
  void aThousandRequestsOnOneStreamAreAllAnsweredWithTheirIds() throws Exception {
    int rows = examples.get("inputs").size();
    List<ModelInferRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      requests.add(request("r" + i, i % rows, "curve"));
    }
    Map<String, ModelStreamInferResponse> byId = stream(requests);
    assertEquals(1000, byId.size());
    for (int i = 0; i < 1000; i++) {
      ModelStreamInferResponse r = byId.get("r" + i);
      assertEquals("1.0.0", r.getInferResponse().getModelVersion());
      assertReference(r, i % rows);
    }
    assertEquals(0, streams.inFlight());
  }

  @Test
  void failedRequestsAreAnsweredInTheStreamAndTheStreamGoesOn() throws Exception {
    List<ModelInferRequest> requests = new java.util.ArrayList<>();
    Map<String, String> bad = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String id = "m" + i;
      if (i % 3 == 1) {
        requests.add(request(id, 0, "not_an_input"));
        bad.put(id, "not_an_input");
      } else if (i % 3 == 2) {
        requests.add(request(id, 0, "curve").toBuilder().setModelName("no_such_model").build());
        bad.put(id, "no_such_model");
      } else {
        requests.add(request(id, 0, "curve"));
      }
    }
    Map<String, ModelStreamInferResponse> byId = stream(requests);
    assertEquals(300, byId.size());
    for (int i = 0; i < 300; i++) {
      String id = "m" + i;
      ModelStreamInferResponse r = byId.get(id);
      if (bad.containsKey(id)) {
        assertTrue(r.getErrorMessage().contains(bad.get(id)), r.getErrorMessage());
        assertEquals(0, r.getInferResponse().getOutputsCount());
      } else {
        assertReference(r, 0);
      }
    }
  }
}
