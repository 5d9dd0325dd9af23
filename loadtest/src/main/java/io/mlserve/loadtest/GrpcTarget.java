package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OIP v2 {@code ModelInfer} over gRPC (Netty, plaintext), calls spread over {@code channels}
 * connections by call id. Each {@link Call} gets one response observer the first time it is sent
 * and reuses it, so a send allocates nothing of ours (gRPC's own call objects aside). Completions
 * run on the transport threads ({@code directExecutor}). Thread-safe.
 */
final class GrpcTarget implements Target {
  private static final MethodDescriptor<ModelInferRequest, ModelInferResponse> INFER =
      GRPCInferenceServiceGrpc.getModelInferMethod();

  private final String address;
  private final List<ManagedChannel> channels;
  private final Workload workload;
  private final ModelInferRequest[] requests;
  private final boolean raw;

  private GrpcTarget(String address, List<ManagedChannel> channels, Workload workload,
      boolean raw) {
    this.address = address;
    this.channels = channels;
    this.workload = workload;
    this.requests = InferRequests.pool(workload, raw);
    this.raw = raw;
  }

  /** Opens {@code channels} connections to {@code address} ({@code host:port}). */
  static List<ManagedChannel> open(String address, int channels) {
    List<ManagedChannel> opened = new ArrayList<>(channels);
    for (int i = 0; i < channels; i++) {
      opened.add(NettyChannelBuilder.forTarget(requireNonNull(address, "address"))
          .usePlaintext().directExecutor().build());
    }
    return opened;
  }

  /** A target over already-open channels, which it closes when closed. */
  static GrpcTarget over(String address, List<ManagedChannel> channels, Workload workload,
      boolean raw) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    return new GrpcTarget(address, List.copyOf(channels), requireNonNull(workload, "workload"),
        raw);
  }

  /** The model's metadata from the server, or null when it does not implement the call. */
  static ModelMetadataResponse metadata(ManagedChannel channel, String model, long timeoutMs) {
    try {
      return GRPCInferenceServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
          .modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return null;
      }
      throw e;
    }
  }

  ManagedChannel channel() {
    return channels.get(0);
  }

  @Override
  public void send(Call call, Sink sink) {
    Observer observer = (Observer) call.transportState;
    if (observer == null) {
      observer = new Observer(call);
      call.transportState = observer;
    }
    observer.sink = sink;
    ManagedChannel channel = channels.get(call.id % channels.size());
    ClientCalls.asyncUnaryCall(channel.newCall(INFER, CallOptions.DEFAULT),
        requests[call.request], observer);
  }

  @Override
  public String explain(int request, java.time.Duration timeout) {
    return ServerAnswer.grpc(channels.get(0), requests[request], timeout);
  }

  @Override
  public int requests() {
    return requests.length;
  }

  @Override
  public int modelOf(int request) {
    return workload.modelOf(request);
  }

  @Override
  public List<String> models() {
    return workload.models();
  }

  @Override
  public String describe() {
    return "grpc://" + address + " ModelInfer over " + channels.size() + " channel(s), "
        + workload.describe() + (raw ? ", raw_input_contents" : ", typed contents");
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One per {@link Call}; at most one of its calls is outstanding at a time. */
  private static final class Observer implements StreamObserver<ModelInferResponse> {
    private final Call call;
    private Sink sink;
    private String version;

    Observer(Call call) {
      this.call = call;
    }

    @Override
    public void onNext(ModelInferResponse response) {
      version = response.getModelVersion();
    }

    @Override
    public void onError(Throwable t) {
      version = null;
      sink.completed(call, Outcome.grpc(Status.fromThrowable(t).getCode()), null);
    }

    @Override
    public void onCompleted() {
      String v = version;
      version = null;
      sink.completed(call, Outcome.OK, v);
    }
  }
}
