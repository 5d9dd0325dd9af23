package io.mlserve.server.triton;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import io.mlserve.server.core.Failure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Triton's {@code ModelStreamInfer}: many {@code ModelInferRequest}s on one bidirectional stream,
 * each answered by a {@code ModelStreamInferResponse} carrying the request's id, in the order the
 * answers complete. A request that fails is answered with {@code error_message} (and an
 * {@code infer_response} holding its id, model and version, so a client can match it); the
 * stream goes on.
 *
 * <p>Flow control, so that a client that does not read cannot grow the server's memory: the
 * stream takes requests from the transport by hand ({@code disableAutoRequest}), at most
 * {@code maxInFlight} before any is answered, and takes one more for each answer sent only while
 * the transport is ready for more output ({@code isReady}; the on-ready handler resumes). So a
 * stream holds at most {@code maxInFlight} requests and unsent answers, and a slow reader makes
 * the server stop reading, which in turn stops the client's sends by HTTP/2 flow control.
 *
 * <p>Each request goes through the same path as {@code ModelInfer} (the function handed to
 * {@link #open}), so traffic splits, metrics and deadlines apply alike. When the client cancels,
 * the call's deadline passes or the stream fails, every request of the stream still queued is
 * cancelled (dropped from its batcher) and no further answer is sent.
 *
 * <p>This class is thread-safe.
 */
public final class StreamInfer {
  /** Requests one stream may have in flight by default. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 64;

  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong received = new AtomicLong();

  /** @param maxInFlight requests one stream may have taken and not yet answered (K) */
  public StreamInfer(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
  }

  /** Requests taken from all streams and not yet answered or cancelled (queued ones dropped). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Requests taken from all streams since start. */
  public long received() {
    return received.get();
  }

  /**
   * Starts one stream; call from the gRPC method, which returns the observer.
   *
   * @param answer runs one request the way {@code ModelInfer} does; never throws (failures
   *     arrive through its future); cancelling the future drops a queued request
   */
  public StreamObserver<ModelInferRequest> open(
      StreamObserver<ModelStreamInferResponse> responses,
      Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> answer) {
    ServerCallStreamObserver<ModelStreamInferResponse> call =
        (ServerCallStreamObserver<ModelStreamInferResponse>) responses;
    Stream s = new Stream(call, answer);
    call.disableAutoRequest();
    call.setOnReadyHandler(s::onReady);
    call.setOnCancelHandler(s::cancelAll);
    call.request(maxInFlight);
    return s;
  }

  /** One stream's state; every field is guarded by {@code this}. */
  private final class Stream implements StreamObserver<ModelInferRequest> {
    private final ServerCallStreamObserver<ModelStreamInferResponse> call;
    private final Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> answer;
    private final Set<CompletableFuture<ModelInferResponse>> running = new HashSet<>();
    /** Answers sent whose request slot is not yet handed back to the transport. */
    private int owed;
    private boolean halfClosed;
    private boolean done;

    Stream(ServerCallStreamObserver<ModelStreamInferResponse> call,
        Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> answer) {
      this.call = call;
      this.answer = answer;
    }

    @Override
    public void onNext(ModelInferRequest req) {
      received.incrementAndGet();
      CompletableFuture<ModelInferResponse> f = answer.apply(req);
      synchronized (this) {
        if (done) {
          f.cancel(false);
          return;
        }
        running.add(f);
        inFlight.incrementAndGet();
      }
      f.whenComplete((resp, error) -> answered(req, f, resp, error));
    }

    private synchronized void answered(ModelInferRequest req,
        CompletableFuture<ModelInferResponse> f, ModelInferResponse resp, Throwable error) {
      if (!running.remove(f)) {
        return; // cancelled with the stream
      }
      inFlight.decrementAndGet();
      call.onNext(error == null
          ? ModelStreamInferResponse.newBuilder().setInferResponse(resp).build()
          : ModelStreamInferResponse.newBuilder()
              .setErrorMessage(Failure.of(error).message())
              .setInferResponse(ModelInferResponse.newBuilder().setId(req.getId())
                  .setModelName(req.getModelName()).setModelVersion(req.getModelVersion()))
              .build());
      owed++;
      if (halfClosed && running.isEmpty()) {
        done = true;
        call.onCompleted();
      } else {
        requestMore();
      }
    }

    /** Hands answered requests' slots back to the transport once it can take more output. */
    private void requestMore() {
      if (owed > 0 && !done && !halfClosed && call.isReady()) {
        int n = owed;
        owed = 0;
        call.request(n);
      }
    }

    synchronized void onReady() {
      requestMore();
    }

    @Override
    public void onError(Throwable t) {
      cancelAll();
    }

    @Override
    public synchronized void onCompleted() {
      halfClosed = true;
      if (running.isEmpty() && !done) {
        done = true;
        call.onCompleted();
      }
    }

    void cancelAll() {
      List<CompletableFuture<ModelInferResponse>> cancel;
      synchronized (this) {
        done = true;
        cancel = new ArrayList<>(running);
        running.clear();
      }
      cancel.forEach(f -> f.cancel(false));
      // Counted out only once cancelled (their batchers drop them), so a zero means nothing left.
      inFlight.addAndGet(-cancel.size());
    }
  }
}
