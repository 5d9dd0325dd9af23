package io.mlserve.registry.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.mlserve.proto.admin.v1.DatasetsGrpc;
import io.mlserve.proto.admin.v1.ApprovalsGrpc;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ReferencesGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.registry.AdminAccess;
import io.mlserve.registry.UnauthenticatedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The admin service's authentication and caller identity, as an interceptor.
 *
 * <p>When a token is configured, a mutating method (Register, Promote, Rollback, Deprecate,
 * Archive, Restore, Cleanup, SetTraffic, ClearTraffic, StartRollout, PauseRollout,
 * ResumeRollout, AbortRollout, PromoteRollout, StartShadow, StopShadow, CreateRun, LogParam,
 * LogMetric, LogArtifact, EndRun, {@code mlserve.admin.v1.Datasets/AddDataset}, Approvals'
 * SetPolicy, ClearPolicy, Approve, Reject, and the inference service's Triton repository
 * RepositoryModelLoad and RepositoryModelUnload) needs exactly one
 * {@code authorization: Bearer <token>} metadata value, compared in constant time; otherwise
 * (none, two, or a wrong one) the call is closed with UNAUTHENTICATED. Reads are open. The
 * caller recorded in history is the
 * {@code x-mlserve-actor} metadata value (printable, at most 64 characters) or
 * {@code "anonymous"}; the shared token carries no subject of its own. The rule itself is
 * {@link AdminAccess}, which the REST gateway applies too. Thread-safe.
 */
public final class AdminAuth implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of(AdminAccess.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> ACTOR =
      Metadata.Key.of(AdminAccess.ACTOR_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> CALLER = Context.key("mlserve-admin-caller");

  private static final String SERVICE = ModelRegistryGrpc.SERVICE_NAME;
  private static final Set<String> MUTATING = Set.of("Register", "Promote", "Rollback",
      "Deprecate", "Archive", "Restore", "Cleanup", "SetTraffic", "ClearTraffic", "CreateRun",
      "LogParam", "LogMetric", "LogArtifact", "EndRun", "StartRollout", "PauseRollout",
      "ResumeRollout", "AbortRollout", "PromoteRollout", "StartShadow", "StopShadow");

  /** Mutations of the other admin services, by full method name. */
  private static final Set<String> MUTATING_ELSEWHERE = Set.of(
      DatasetsGrpc.SERVICE_NAME + "/AddDataset",
      ApprovalsGrpc.SERVICE_NAME + "/SetPolicy", ApprovalsGrpc.SERVICE_NAME + "/ClearPolicy",
      ApprovalsGrpc.SERVICE_NAME + "/Approve", ApprovalsGrpc.SERVICE_NAME + "/Reject",
      ReferencesGrpc.SERVICE_NAME + "/SetReference",
      GRPCInferenceServiceGrpc.SERVICE_NAME + "/RepositoryModelLoad",
      GRPCInferenceServiceGrpc.SERVICE_NAME + "/RepositoryModelUnload");

  private final AdminAccess access;
  private final Predicate<String> mutating;

  /** @param tokenOrNull the admin token; null or blank: no authentication */
  public AdminAuth(String tokenOrNull) {
    this(tokenOrNull, AdminAuth::isMutating);
  }

  private AdminAuth(String tokenOrNull, Predicate<String> mutating) {
    this.access = new AdminAccess(tokenOrNull);
    this.mutating = mutating;
  }

  /**
   * The same rule for another service's admin mutations: only the methods named (full method
   * names, {@code service/Method}) need the token; everything else passes.
   */
  public static AdminAuth forMethods(String tokenOrNull, Set<String> fullMethodNames) {
    return new AdminAuth(tokenOrNull, Set.copyOf(fullMethodNames)::contains);
  }

  static boolean isMutating(String fullMethodName) {
    int slash = fullMethodName.lastIndexOf('/');
    return fullMethodName.startsWith(SERVICE + "/")
        && MUTATING.contains(fullMethodName.substring(slash + 1))
        || MUTATING_ELSEWHERE.contains(fullMethodName);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (mutating.test(call.getMethodDescriptor().getFullMethodName())) {
      try {
        Iterable<String> sent = headers.getAll(AUTHORIZATION);
        List<String> values = new ArrayList<>(1);
        if (sent != null) {
          sent.forEach(values::add);
        }
        access.checkMutation(values);
      } catch (UnauthenticatedException e) {
        call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    Context ctx = Context.current().withValue(CALLER, actor(headers.get(ACTOR)));
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  static String actor(String raw) {
    return AdminAccess.actor(raw);
  }

  /** The caller of the current admin call. */
  static String caller() {
    String c = CALLER.get();
    return c == null ? "anonymous" : c;
  }
}
