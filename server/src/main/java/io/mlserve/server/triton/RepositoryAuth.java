package io.mlserve.server.triton;

import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.server.triton.shm.SharedMemoryGrpc;
import java.util.Set;

/**
 * Puts the admin services' token rule ({@link AdminAuth}) on the inference service's mutations,
 * {@code RepositoryModelLoad}, {@code RepositoryModelUnload} and the shared-memory registrations
 * ({@link SharedMemoryGrpc#MUTATING}), and on nothing else: each guarded method's handler is
 * wrapped once, at start, so an inference call runs no interceptor for it (no per-call method
 * name check, context or listener wrapper). Stateless; thread-safe.
 */
public final class RepositoryAuth {
  /** The inference service's methods that change what the server serves or its regions. */
  static final Set<String> MUTATIONS = union(Set.of(
      GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName()),
      SharedMemoryGrpc.MUTATING);

  private RepositoryAuth() {}

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  /**
   * {@code service} with its mutations (repository and shared memory) behind the admin token.
   *
   * @param tokenOrNull the admin token; null or blank: the calls are open
   */
  public static ServerServiceDefinition protect(ServerServiceDefinition service,
      String tokenOrNull) {
    AdminAuth auth = AdminAuth.forMethods(tokenOrNull, MUTATIONS);
    ServerServiceDefinition.Builder b =
        ServerServiceDefinition.builder(service.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      add(b, m, auth);
    }
    return b.build();
  }

  private static <Q, R> void add(ServerServiceDefinition.Builder b,
      ServerMethodDefinition<Q, R> m, ServerInterceptor auth) {
    b.addMethod(MUTATIONS.contains(m.getMethodDescriptor().getFullMethodName())
        ? guarded(m, auth) : m);
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guarded(ServerMethodDefinition<Q, R> m,
      ServerInterceptor auth) {
    ServerCallHandler<Q, R> next = m.getServerCallHandler();
    return m.withServerCallHandler((call, headers) -> auth.interceptCall(call, headers, next));
  }
}
