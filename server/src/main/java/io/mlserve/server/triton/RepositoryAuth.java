package io.mlserve.server.triton;

import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.registry.grpc.AdminAuth;
import java.util.Set;

/**
 * Puts the admin services' token rule ({@link AdminAuth}) on the inference service's repository
 * mutations, {@code RepositoryModelLoad} and {@code RepositoryModelUnload}, and on nothing else:
 * inference calls pay nothing for it. Stateless; thread-safe.
 */
public final class RepositoryAuth {
  /** The inference service's methods that change what the server serves. */
  static final Set<String> MUTATIONS = Set.of(
      GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName());

  private RepositoryAuth() {}

  /**
   * {@code service} with its repository mutations behind the admin token.
   *
   * @param tokenOrNull the admin token; null or blank: the calls are open
   */
  public static ServerServiceDefinition protect(ServerServiceDefinition service,
      String tokenOrNull) {
    AdminAuth auth = new AdminAuth(tokenOrNull);
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
