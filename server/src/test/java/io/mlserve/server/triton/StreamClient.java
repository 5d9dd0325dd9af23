package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client ModelStreamInfer stream for tests: keeps every answer by request id (an id answered
 * twice fails), and reads either freely or, with {@code initialReads >= 0}, only what
 * {@link #requests}{@code .request(n)} allows. Thread-safe.
 */
final class StreamClient
    implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
  final Map<String, ModelStreamInferResponse> byId = new ConcurrentHashMap<>();
  final CountDownLatch done = new CountDownLatch(1);
  final AtomicReference<Throwable> failed = new AtomicReference<>();
  private final int initialReads;
  volatile ClientCallStreamObserver<ModelInferRequest> requests;

  private StreamClient(int initialReads) {
    this.initialReads = initialReads;
  }

  /** Opens a stream on {@code channel}; {@code initialReads} < 0: the client reads freely. */
  static StreamClient open(ManagedChannel channel, int initialReads) {
    return open(GRPCInferenceServiceGrpc.newStub(channel), initialReads);
  }

  /** As {@link #open(ManagedChannel, int)} on {@code stub} (e.g. one with a deadline). */
  static StreamClient open(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub,
      int initialReads) {
    StreamClient c = new StreamClient(initialReads);
    stub.modelStreamInfer(c);
    return c;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ModelInferRequest> r) {
    requests = r;
    if (initialReads >= 0) {
      r.disableAutoRequestWithInitial(initialReads);
    }
  }

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

  void send(List<ModelInferRequest> all) {
    all.forEach(requests::onNext);
  }

  /** Half-closes the stream and waits for the server to complete it. */
  void finish() throws InterruptedException {
    requests.onCompleted();
    awaitCompleted();
  }

  void awaitCompleted() throws InterruptedException {
    assertTrue(done.await(60, TimeUnit.SECONDS), "the stream did not complete");
    assertNull(failed.get(), "the stream failed");
  }
}
