package io.mlserve.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import io.mlserve.proto.inference.ModelMetadataResponse.TensorMetadata;
import io.mlserve.proto.inference.ModelReadyRequest;
import io.mlserve.proto.inference.ModelReadyResponse;
import io.mlserve.proto.inference.ServerLiveRequest;
import io.mlserve.proto.inference.ServerLiveResponse;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.proto.inference.ServerMetadataResponse;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.proto.inference.ServerReadyResponse;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.netty.EventLoops;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Open Inference Protocol v2 gRPC service: a thin adapter that decodes, resolves the model,
 * queues on its batcher and encodes. It never blocks, so it may run on the transport's threads.
 *
 * <p>This class is thread-safe.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  /** Name reported by ServerMetadata. */
  public static final String SERVER_NAME = "mlserve";

  private final ModelRouter router;
  private final ServerState state;
  private final Ticker ticker;
  private final String serverVersion;
  private final boolean checkFinite;

  /** A service that refuses NaN and infinite inputs. */
  public InferenceGrpcService(
      ModelRouter router, ServerState state, Ticker ticker, String serverVersion) {
    this(router, state, ticker, serverVersion, true);
  }

  /**
   * @param checkFinite refuse NaN and infinite FP16/FP32/FP64 input elements with
   *     INVALID_ARGUMENT (the JSON transports always do: JSON has no such numbers); off for
   *     models that take NaN as "missing"
   */
  public InferenceGrpcService(
      ModelRouter router, ServerState state, Ticker ticker, String serverVersion,
      boolean checkFinite) {
    this.router = Objects.requireNonNull(router, "router");
    this.state = Objects.requireNonNull(state, "state");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
    this.checkFinite = checkFinite;
  }

  @Override
  public void serverLive(ServerLiveRequest req, StreamObserver<ServerLiveResponse> obs) {
    obs.onNext(ServerLiveResponse.newBuilder().setLive(state.live()).build());
    obs.onCompleted();
  }

  @Override
  public void serverReady(ServerReadyRequest req, StreamObserver<ServerReadyResponse> obs) {
    obs.onNext(ServerReadyResponse.newBuilder().setReady(state.ready()).build());
    obs.onCompleted();
  }

  @Override
  public void modelReady(ModelReadyRequest req, StreamObserver<ModelReadyResponse> obs) {
    try {
      router.resolve(req.getName(), req.getVersion());
      obs.onNext(ModelReadyResponse.newBuilder().setReady(state.live()).build());
      obs.onCompleted();
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest req, StreamObserver<ServerMetadataResponse> obs) {
    obs.onNext(
        ServerMetadataResponse.newBuilder()
            .setName(SERVER_NAME)
            .setVersion(serverVersion)
            .build());
    obs.onCompleted();
  }

  @Override
  public void modelMetadata(ModelMetadataRequest req, StreamObserver<ModelMetadataResponse> obs) {
    try {
      ServedModel m = router.resolve(req.getName(), req.getVersion());
      Manifest mf = m.manifest();
      ModelMetadataResponse.Builder b =
          ModelMetadataResponse.newBuilder()
              .setName(m.name())
              .addAllVersions(router.versions(m.name()))
              .setPlatform(mf.platform() == null ? "pytorch_libtorch" : mf.platform());
      for (TensorSpec s : mf.signature().inputs()) {
        b.addInputs(metadata(s));
      }
      for (TensorSpec s : mf.signature().outputs()) {
        b.addOutputs(metadata(s));
      }
      obs.onNext(b.build());
      obs.onCompleted();
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void modelInfer(ModelInferRequest req, StreamObserver<ModelInferResponse> obs) {
    ServedModel model;
    try {
      model = router.resolve(req.getModelName(), req.getModelVersion());
    } catch (InferenceException e) {
      try {
        // An explicitly named Deprecated version loads on demand, off this thread.
        long deadline = deadlineNanos();
        router.loadOnDemand(req.getModelName(), req.getModelVersion(), e)
            .whenComplete((loaded, error) -> {
              if (error != null) {
                obs.onError(GrpcErrors.toStatus(error));
              } else {
                infer(loaded, req, obs, deadline, false);
              }
            });
      } catch (RuntimeException notLoadable) {
        obs.onError(GrpcErrors.toStatus(notLoadable));
      }
      return;
    }
    infer(model, req, obs, deadlineNanos(), true);
  }

  /**
   * @param inHandler whether this runs inside the gRPC handler call, where a cancel handler may
   *     still be installed (not after an asynchronous on-demand load)
   */
  private void infer(
      ServedModel model, ModelInferRequest req, StreamObserver<ModelInferResponse> obs,
      long deadline, boolean inHandler) {
    try {
      List<Tensor> inputs = GrpcTensorCodec.decodeInputs(req, checkFinite);
      int[] selected =
          GrpcTensorCodec.selectOutputs(req, model.manifest().signature().outputs());
      boolean raw = GrpcTensorCodec.usesRaw(req);
      ModelRouter.Routed routed = router.infer(
          model, req.getModelName(), req.getModelVersion(), inputs, deadline, "grpc");
      ServedModel served = routed.model();
      CompletableFuture<Tensor[]> result = routed.result();
      if (inHandler && obs instanceof ServerCallStreamObserver<ModelInferResponse> call) {
        call.setOnCancelHandler(() -> result.cancel(false));
      }
      String id = req.getId();
      Executor loop = EventLoops.current();
      result.whenComplete(
          (outputs, error) -> {
            if (loop == null || EventLoops.inLoop(loop)) {
              respond(obs, served, id, outputs, error, selected, raw, inHandler);
            } else {
              try {
                loop.execute(
                    () -> respond(obs, served, id, outputs, error, selected, raw, inHandler));
              } catch (RejectedExecutionException shuttingDown) {
                respond(obs, served, id, outputs, error, selected, raw, inHandler);
              }
            }
          });
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
    }
  }

  private static void respond(
      StreamObserver<ModelInferResponse> obs, ServedModel served, String id, Tensor[] outputs,
      Throwable error, int[] selected, boolean raw, boolean inHandler) {
    if (error != null) {
      obs.onError(GrpcErrors.toStatus(error));
      return;
    }
    ModelInferResponse resp;
    try {
      resp = GrpcTensorCodec.encode(served.name(), served.version(), id, outputs, selected, raw);
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    if (!inHandler && obs instanceof ServerCallStreamObserver<ModelInferResponse> call
        && call.isCancelled()) {
      return;
    }
    obs.onNext(resp);
    obs.onCompleted();
  }

  private long deadlineNanos() {
    Deadline d = Context.current().getDeadline();
    if (d == null) {
      return Long.MAX_VALUE;
    }
    return ticker.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
  }

  private static TensorMetadata metadata(TensorSpec s) {
    return TensorMetadata.newBuilder()
        .setName(s.name())
        .setDatatype(s.datatype())
        .addAllShape(s.shape())
        .build();
  }
}
