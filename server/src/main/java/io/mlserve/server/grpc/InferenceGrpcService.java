package io.mlserve.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.CudaSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.CudaSharedMemoryRegisterResponse;
import io.mlserve.proto.inference.CudaSharedMemoryStatusRequest;
import io.mlserve.proto.inference.CudaSharedMemoryStatusResponse;
import io.mlserve.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.mlserve.proto.inference.CudaSharedMemoryUnregisterResponse;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelConfigRequest;
import io.mlserve.proto.inference.ModelConfigResponse;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import io.mlserve.proto.inference.ModelMetadataResponse.TensorMetadata;
import io.mlserve.proto.inference.ModelReadyRequest;
import io.mlserve.proto.inference.ModelReadyResponse;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import io.mlserve.proto.inference.RepositoryIndexRequest;
import io.mlserve.proto.inference.RepositoryIndexResponse;
import io.mlserve.proto.inference.RepositoryModelLoadRequest;
import io.mlserve.proto.inference.RepositoryModelLoadResponse;
import io.mlserve.proto.inference.RepositoryModelUnloadRequest;
import io.mlserve.proto.inference.RepositoryModelUnloadResponse;
import io.mlserve.proto.inference.ModelStatisticsRequest;
import io.mlserve.proto.inference.ModelStatisticsResponse;
import io.mlserve.proto.inference.ServerLiveRequest;
import io.mlserve.proto.inference.ServerLiveResponse;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.proto.inference.ServerMetadataResponse;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.proto.inference.ServerReadyResponse;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterResponse;
import io.mlserve.proto.inference.SystemSharedMemoryStatusRequest;
import io.mlserve.proto.inference.SystemSharedMemoryStatusResponse;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterResponse;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.netty.EventLoops;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.triton.RepositoryGrpc;
import io.mlserve.server.triton.StreamInfer;
import io.mlserve.server.triton.shm.SharedMemoryGrpc;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.server.triton.shm.ShmRequest;
import io.mlserve.server.triton.TritonExtensions;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Open Inference Protocol v2 gRPC service: a thin adapter that decodes, hands the request to
 * the {@link InferenceService} and encodes the answer. It never blocks, so it may run on the transport's threads.
 *
 * <p>This class is thread-safe.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  /** Name reported by ServerMetadata. */
  public static final String SERVER_NAME = "mlserve";

  private final InferenceService service;
  private final ServerState state;
  private final Ticker ticker;
  private final String serverVersion;
  private final boolean checkFinite;
  private final RepositoryGrpc repository; // null: UNIMPLEMENTED
  private final StreamInfer streams;
  private final TritonModelGrpc tritonModels;
  private final SharedMemoryGrpc sharedMemory;

  /** A service that refuses NaN and infinite inputs. */
  public InferenceGrpcService(
      InferenceService service, ServerState state, String serverVersion) {
    this(service, state, serverVersion, true);
  }

  /**
   * @param checkFinite refuse NaN and infinite FP16/FP32/FP64 input elements with
   *     INVALID_ARGUMENT (the JSON transports always do: JSON has no such numbers); off for
   *     models that take NaN as "missing"
   */
  public InferenceGrpcService(
      InferenceService service, ServerState state, String serverVersion,
      boolean checkFinite) {
    this(service, state, serverVersion, checkFinite, null,
        new StreamInfer(StreamInfer.DEFAULT_MAX_IN_FLIGHT));
  }

  /**
   * @param repository Triton's model repository calls, or null (they answer UNIMPLEMENTED)
   * @param streams how ModelStreamInfer streams are run
   */
  public InferenceGrpcService(
      InferenceService service, ServerState state, String serverVersion,
      boolean checkFinite, RepositoryGrpc repository, StreamInfer streams) {
    this(service, state, serverVersion, checkFinite, repository, streams,
        SharedMemoryRegistry.disabled());
  }

  /** @param sharedMemory the system shared-memory regions requests may name */
  public InferenceGrpcService(
      InferenceService service, ServerState state, String serverVersion,
      boolean checkFinite, RepositoryGrpc repository, StreamInfer streams,
      SharedMemoryRegistry sharedMemory) {
    this.sharedMemory = new SharedMemoryGrpc(sharedMemory);
    this.service = Objects.requireNonNull(service, "service");
    this.state = Objects.requireNonNull(state, "state");
    this.ticker = service.ticker();
    this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
    this.checkFinite = checkFinite;
    this.repository = repository;
    this.streams = Objects.requireNonNull(streams, "streams");
    this.tritonModels = new TritonModelGrpc(service);
  }

  /**
   * Copies the {@code x-mlserve-routing-key} header into each call's context; install it on
   * this service ({@code ServerInterceptors.intercept(service, routingKeyInterceptor())}).
   */
  public static io.grpc.ServerInterceptor routingKeyInterceptor() {
    return RoutingKeys.interceptor();
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
      service.loaded(ModelRef.fromVersionField(req.getName(), req.getVersion()));
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
            .addAllExtensions(TritonExtensions.IMPLEMENTED)
            .build());
    obs.onCompleted();
  }

  @Override
  public void modelMetadata(ModelMetadataRequest req, StreamObserver<ModelMetadataResponse> obs) {
    try {
      ServedModel m =
          service.loaded(ModelRef.fromVersionField(req.getName(), req.getVersion()));
      Manifest mf = m.manifest();
      ModelMetadataResponse.Builder b =
          ModelMetadataResponse.newBuilder()
              .setName(m.name())
              .addAllVersions(service.router().versions(m.name()))
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
    ShmRequest shm;
    CompletableFuture<Answer> result;
    try {
      shm = sharedMemory.open(req);
    } catch (RuntimeException e) {
      respond(obs, null, e);
      return;
    }
    try {
      result = submit(req, shm);
    } catch (RuntimeException e) {
      shm.close();
      respond(obs, null, e);
      return;
    }
    if (obs instanceof ServerCallStreamObserver<ModelInferResponse> call) {
      call.setOnCancelHandler(() -> result.cancel(false));
    }
    // One callback on the answer: the response is encoded and written on the call's event loop
    // (the thread that completes the answer, a batcher worker, only hands it over).
    Executor loop = EventLoops.current();
    result.whenComplete(
        (answer, error) -> {
          if (loop == null || EventLoops.inLoop(loop)) {
            finish(req, shm, obs, answer, error);
          } else {
            try {
              loop.execute(() -> finish(req, shm, obs, answer, error));
            } catch (RejectedExecutionException shuttingDown) {
              finish(req, shm, obs, answer, error);
            }
          }
        });
  }

  /** Encodes and sends one ModelInfer answer (or its error), then lets the regions go. */
  private static void finish(ModelInferRequest req, ShmRequest shm,
      StreamObserver<ModelInferResponse> obs, Answer answer, Throwable error) {
    ModelInferResponse resp = null;
    Throwable failure = error;
    try (shm) { // the regions are let go once outputs are written or the request failed
      if (error == null) {
        resp = encode(req, answer, shm);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    respond(obs, resp, failure);
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> obs) {
    return streams.open(obs, this::answer);
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest req, StreamObserver<RepositoryIndexResponse> obs) {
    reply(repository == null ? null : repository.index(req), obs);
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest req, StreamObserver<RepositoryModelLoadResponse> obs) {
    reply(repository == null ? null : repository.load(req), obs);
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest req, StreamObserver<RepositoryModelUnloadResponse> obs) {
    reply(repository == null ? null : repository.unload(req), obs);
  }

  /** Completes a unary call with a future's outcome; null: the call is not implemented here. */
  private static <T> void reply(CompletableFuture<T> result, StreamObserver<T> obs) {
    if (result == null) {
      obs.onError(Status.UNIMPLEMENTED.withDescription("not enabled on this server")
          .asRuntimeException());
      return;
    }
    result.whenComplete((value, error) -> {
      if (error != null) {
        obs.onError(GrpcErrors.toStatus(error));
      } else {
        obs.onNext(value);
        obs.onCompleted();
      }
    });
  }

  /**
   * One request decoded, run through the serving entry point and encoded: what each request of
   * ModelStreamInfer does (ModelInfer does the same with one callback less). Never throws; cancelling the future drops the request
   * if it has not run.
   */
  private CompletableFuture<ModelInferResponse> answer(ModelInferRequest req) {
    CompletableFuture<Answer> result;
    ShmRequest shm;
    try {
      shm = sharedMemory.open(req);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    try {
      result = submit(req, shm);
    } catch (RuntimeException e) {
      shm.close();
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<ModelInferResponse> out = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        result.cancel(false);
        return super.cancel(mayInterruptIfRunning);
      }
    };
    result.whenComplete((answer, error) -> {
      try (shm) { // the regions are let go once outputs are written or the request failed
        if (error != null) {
          out.completeExceptionally(error);
        } else {
          out.complete(encode(req, answer, shm));
        }
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  /**
   * Decodes {@code req} (inputs in shared memory read through {@code shm}) and hands it to the
   * serving entry point.
   *
   * @throws RuntimeException when the request is refused before it is queued
   */
  private CompletableFuture<Answer> submit(ModelInferRequest req, ShmRequest shm) {
    List<Tensor> inputs = GrpcTensorCodec.decodeInputs(req, checkFinite, shm);
    ModelRef ref = ModelRef.fromVersionField(req.getModelName(), req.getModelVersion());
    RequestContext ctx =
        new RequestContext(deadlineNanos(), "grpc", req.getId(), RoutingKeys.of(req));
    // Output names are checked against the version that will answer, before it runs.
    return service.infer(ref, model -> {
      GrpcTensorCodec.selectOutputs(req, model.manifest().signature().outputs());
      return inputs;
    }, ctx);
  }

  private static ModelInferResponse encode(ModelInferRequest req, Answer answer,
      ShmRequest shm) {
    ServedModel served = answer.model();
    List<TensorSpec> specs = served.manifest().signature().outputs();
    int[] selected = GrpcTensorCodec.selectOutputs(req, specs);
    shm.writeOutputs(selected, answer.outputs(), specs);
    return GrpcTensorCodec.encode(served.name(), served.version(), answer.requestId(),
        answer.outputs(), selected, GrpcTensorCodec.usesRaw(req),
        idx -> shm.isBound(specs.get(idx).name()));
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest req, StreamObserver<ModelStatisticsResponse> obs) {
    tritonModels.modelStatistics(req, obs);
  }

  @Override
  public void modelConfig(ModelConfigRequest req, StreamObserver<ModelConfigResponse> obs) {
    tritonModels.modelConfig(req, obs);
  }

  private static void respond(
      StreamObserver<ModelInferResponse> obs, ModelInferResponse resp, Throwable error) {
    if (error != null) {
      obs.onError(GrpcErrors.toStatus(error));
      return;
    }
    if (obs instanceof ServerCallStreamObserver<ModelInferResponse> call && call.isCancelled()) {
      return;
    }
    obs.onNext(resp);
    obs.onCompleted();
  }

  @Override
  public void systemSharedMemoryStatus(SystemSharedMemoryStatusRequest req,
      StreamObserver<SystemSharedMemoryStatusResponse> obs) {
    sharedMemory.status(req, obs);
  }

  @Override
  public void systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest req,
      StreamObserver<SystemSharedMemoryRegisterResponse> obs) {
    sharedMemory.register(req, obs);
  }

  @Override
  public void systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest req,
      StreamObserver<SystemSharedMemoryUnregisterResponse> obs) {
    sharedMemory.unregister(req, obs);
  }

  @Override
  public void cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest req,
      StreamObserver<CudaSharedMemoryStatusResponse> obs) {
    sharedMemory.cudaStatus(req, obs);
  }

  @Override
  public void cudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest req,
      StreamObserver<CudaSharedMemoryRegisterResponse> obs) {
    sharedMemory.cudaRegister(req, obs);
  }

  @Override
  public void cudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest req,
      StreamObserver<CudaSharedMemoryUnregisterResponse> obs) {
    sharedMemory.cudaUnregister(req, obs);
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
