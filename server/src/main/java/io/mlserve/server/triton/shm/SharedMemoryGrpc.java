package io.mlserve.server.triton.shm;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.errors.ClientText;
import io.mlserve.proto.inference.CudaSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.CudaSharedMemoryRegisterResponse;
import io.mlserve.proto.inference.CudaSharedMemoryStatusRequest;
import io.mlserve.proto.inference.CudaSharedMemoryStatusResponse;
import io.mlserve.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.mlserve.proto.inference.CudaSharedMemoryUnregisterResponse;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterResponse;
import io.mlserve.proto.inference.SystemSharedMemoryStatusRequest;
import io.mlserve.proto.inference.SystemSharedMemoryStatusResponse;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterResponse;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Triton's shared-memory extension over gRPC: the {@code SystemSharedMemoryStatus/Register/
 * Unregister} methods over a {@link SharedMemoryRegistry}, the CUDA ones of a server without
 * CUDA shared memory (status lists nothing, register answers UNIMPLEMENTED, unregister has
 * nothing to do), and the reading of the {@code shared_memory_*} parameters of
 * {@code ModelInferRequest} tensors. Refusals map to NOT_FOUND, INVALID_ARGUMENT, ALREADY_EXISTS
 * (a name taken, as Triton), RESOURCE_EXHAUSTED (a bound), FAILED_PRECONDITION (turned off).
 * The token check of the register and unregister methods is an interceptor on the service
 * ({@link #MUTATING}).
 *
 * <p>This class is thread-safe.
 */
public final class SharedMemoryGrpc {
  /** The methods that change the registry: they need the admin token when one is set. */
  public static final Set<String> MUTATING = Set.of(
      GRPCInferenceServiceGrpc.getSystemSharedMemoryRegisterMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getSystemSharedMemoryUnregisterMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getCudaSharedMemoryRegisterMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getCudaSharedMemoryUnregisterMethod().getFullMethodName());

  private final SharedMemoryRegistry registry;

  public SharedMemoryGrpc(SharedMemoryRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The registry requests read from. */
  public SharedMemoryRegistry registry() {
    return registry;
  }

  public void status(SystemSharedMemoryStatusRequest req,
      StreamObserver<SystemSharedMemoryStatusResponse> obs) {
    SystemSharedMemoryStatusResponse.Builder b = SystemSharedMemoryStatusResponse.newBuilder();
    try {
      for (RegionStatus r : registry.status(req.getName())) {
        b.putRegions(r.name(), SystemSharedMemoryStatusResponse.RegionStatus.newBuilder()
            .setName(r.name()).setKey(r.key()).setOffset(r.offset()).setByteSize(r.byteSize())
            .build());
      }
    } catch (SharedMemoryException e) {
      obs.onError(status(e));
      return;
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  public void register(SystemSharedMemoryRegisterRequest req,
      StreamObserver<SystemSharedMemoryRegisterResponse> obs) {
    try {
      registry.register(req.getName(), req.getKey(), req.getOffset(), req.getByteSize());
    } catch (SharedMemoryException e) {
      obs.onError(status(e));
      return;
    }
    obs.onNext(SystemSharedMemoryRegisterResponse.getDefaultInstance());
    obs.onCompleted();
  }

  public void unregister(SystemSharedMemoryUnregisterRequest req,
      StreamObserver<SystemSharedMemoryUnregisterResponse> obs) {
    registry.unregister(req.getName());
    obs.onNext(SystemSharedMemoryUnregisterResponse.getDefaultInstance());
    obs.onCompleted();
  }

  /** CUDA shared memory: none is ever registered here. */
  public void cudaStatus(CudaSharedMemoryStatusRequest req,
      StreamObserver<CudaSharedMemoryStatusResponse> obs) {
    if (!req.getName().isEmpty()) {
      obs.onError(Status.NOT_FOUND.withDescription("CUDA shared memory region '"
          + req.getName() + "' is not registered (this server has no CUDA shared memory)")
          .asRuntimeException());
      return;
    }
    obs.onNext(CudaSharedMemoryStatusResponse.getDefaultInstance());
    obs.onCompleted();
  }

  public void cudaRegister(CudaSharedMemoryRegisterRequest req,
      StreamObserver<CudaSharedMemoryRegisterResponse> obs) {
    obs.onError(status(new SharedMemoryException(SharedMemoryException.Reason.UNIMPLEMENTED,
        "CUDA shared memory is not supported by this server; use system shared memory")));
  }

  public void cudaUnregister(CudaSharedMemoryUnregisterRequest req,
      StreamObserver<CudaSharedMemoryUnregisterResponse> obs) {
    obs.onNext(CudaSharedMemoryUnregisterResponse.getDefaultInstance());
    obs.onCompleted();
  }

  /**
   * A request's shared-memory use, with its requested outputs that name a region bound; the
   * caller closes it once the answer is sent or the request failed.
   */
  public ShmRequest open(ModelInferRequest req) {
    ShmRequest shm = new ShmRequest(registry);
    try {
      for (InferRequestedOutputTensor o : req.getOutputsList()) {
        ShmRef ref = ref("output '" + o.getName() + "'", o.getParametersMap());
        if (ref != null) {
          shm.bindOutput(o.getName(), ref);
        }
      }
    } catch (RuntimeException e) {
      shm.close();
      throw e;
    }
    return shm;
  }

  /**
   * The input read from shared memory, or null when it names no region (its bytes are in the
   * message).
   */
  public static Tensor input(ShmRequest shm, InferInputTensor in, DataType type, long[] shape) {
    ShmRef ref = ref("input '" + in.getName() + "'", in.getParametersMap());
    if (ref == null) {
      return null;
    }
    if (in.hasContents()) {
      throw InferenceException.invalid("input '" + in.getName() + "' has contents and "
          + ShmRef.REGION + "; give one");
    }
    return shm.input(in.getName(), type, shape, ref);
  }

  /**
   * How many inputs of {@code req} name a region (they take no {@code raw_input_contents}
   * entry).
   */
  public static int inputsInSharedMemory(ModelInferRequest req) {
    int n = 0;
    for (InferInputTensor in : req.getInputsList()) {
      if (in.containsParameters(ShmRef.REGION)) {
        n++;
      }
    }
    return n;
  }

  /** The shared-memory reference in a tensor's parameters, or null when it has none. */
  static ShmRef ref(String what, Map<String, InferParameter> params) {
    if (params.isEmpty()) {
      return null;
    }
    InferParameter region = params.get(ShmRef.REGION);
    if (region != null && region.getParameterChoiceCase()
        != InferParameter.ParameterChoiceCase.STRING_PARAM) {
      throw InferenceException.invalid(what + ": parameter " + ShmRef.REGION
          + " must be a string_param");
    }
    return ShmRef.of(what, region == null ? null : region.getStringParam(),
        integer(what, params.get(ShmRef.OFFSET), ShmRef.OFFSET),
        integer(what, params.get(ShmRef.BYTE_SIZE), ShmRef.BYTE_SIZE));
  }

  private static Long integer(String what, InferParameter p, String field) {
    if (p == null) {
      return null;
    }
    return switch (p.getParameterChoiceCase()) {
      case INT64_PARAM -> p.getInt64Param();
      case UINT64_PARAM -> p.getUint64Param() < 0 ? -1L : p.getUint64Param();
      default -> throw InferenceException.invalid(what + ": parameter " + field
          + " must be an int64_param");
    };
  }

  /** The gRPC status of a registry refusal. */
  static RuntimeException status(SharedMemoryException e) {
    Status s = switch (e.reason()) {
      case NOT_FOUND -> Status.NOT_FOUND;
      case INVALID -> Status.INVALID_ARGUMENT;
      case EXISTS -> Status.ALREADY_EXISTS;
      case LIMIT -> Status.RESOURCE_EXHAUSTED;
      case DISABLED -> Status.FAILED_PRECONDITION;
      case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
    };
    return s.withDescription(ClientText.scrub(e.getMessage())).asRuntimeException();
  }
}
