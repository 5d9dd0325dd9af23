package io.mlserve.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationJson;
import io.mlserve.evaluation.EvaluationListing;
import io.mlserve.evaluation.EvaluationStore;
import io.mlserve.evaluation.TaskKind;
import io.mlserve.proto.admin.v1.EvaluateProgress;
import io.mlserve.proto.admin.v1.EvaluateRequest;
import io.mlserve.proto.admin.v1.EvaluationsGrpc;
import io.mlserve.proto.admin.v1.GetEvaluationRequest;
import io.mlserve.proto.admin.v1.ListEvaluationsRequest;
import io.mlserve.proto.admin.v1.ListEvaluationsResponse;
import io.mlserve.proto.admin.v1.StoredEvaluation;
import io.mlserve.registry.AdminAccess;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.evaluation.Baseline;
import io.mlserve.server.evaluation.EvaluationOptions;
import io.mlserve.server.evaluation.EvaluationRunner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code mlserve.admin.v1.Evaluations} gRPC service over an {@link EvaluationRunner}.
 * Evaluate runs on the runner's threads (never a transport thread), streams progress at most
 * once per percent, then the stored evaluation; a cancelled call cancels the evaluation.
 * Evaluate needs the admin token when one is configured ({@link AdminAccess}, the admin
 * service's rule and headers); reads are open. Failures become statuses through
 * {@link GrpcErrors}. Thread-safe.
 */
public final class EvaluationsGrpcService extends EvaluationsGrpc.EvaluationsImplBase {
  private static final Context.Key<String> CALLER = Context.key("mlserve-evaluations-caller");

  private final EvaluationRunner runner;

  private EvaluationsGrpcService(EvaluationRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** The service over {@code runner} with the token check applied (null or blank: none). */
  public static ServerServiceDefinition definition(EvaluationRunner runner,
      String tokenOrNull) {
    return ServerInterceptors.intercept(new EvaluationsGrpcService(runner),
        new Auth(new AdminAccess(tokenOrNull)));
  }

  @Override
  public void evaluate(EvaluateRequest req, StreamObserver<EvaluateProgress> obs) {
    ServerCallStreamObserver<EvaluateProgress> call =
        (ServerCallStreamObserver<EvaluateProgress>) obs;
    AtomicBoolean cancelled = new AtomicBoolean();
    call.setOnCancelHandler(() -> cancelled.set(true));
    Progress progress = new Progress(call);
    try {
      EvaluationOptions options = new EvaluationOptions(
          req.getBatchSize() == 0 ? EvaluationOptions.DEFAULT_BATCH_SIZE : req.getBatchSize(),
          req.getKind().isBlank() ? null : TaskKind.parse(req.getKind()), req.getOutput(),
          List.of(), null);
      runner.submit(req.getModel(), req.getVersion(), req.getDataset(),
          Baseline.parse(req.getBaseline()), options, caller(), progress::update,
          cancelled::get).whenComplete((e, failure) -> {
            if (failure != null) {
              progress.fail(failure);
            } else {
              progress.done(e);
            }
          });
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void listEvaluations(ListEvaluationsRequest req,
      StreamObserver<ListEvaluationsResponse> obs) {
    ListEvaluationsResponse response;
    try {
      int limit = req.getLimit() == 0 ? EvaluationListing.DEFAULT_LIMIT : req.getLimit();
      if (limit < 1 || limit > EvaluationStore.MAX_LISTED) {
        throw InferenceException.invalid("limit must be between 1 and "
            + EvaluationStore.MAX_LISTED + ", got " + limit);
      }
      List<StoredEvaluation> out = new ArrayList<>();
      for (Evaluation e : runner.results().list(req.getModel(), req.getVersion(), limit)) {
        out.add(stored(EvaluationListing.withoutSample(e)));
      }
      response = ListEvaluationsResponse.newBuilder().addAllEvaluations(out).build();
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }

  @Override
  public void getEvaluation(GetEvaluationRequest req, StreamObserver<StoredEvaluation> obs) {
    StoredEvaluation response;
    try {
      response = stored(runner.results().read(req.getModel(), req.getVersion(), req.getId()));
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }

  static StoredEvaluation stored(Evaluation e) {
    return StoredEvaluation.newBuilder().setId(e.id())
        .setJson(new String(EvaluationJson.encode(e), StandardCharsets.UTF_8)).build();
  }

  private static String caller() {
    String c = CALLER.get();
    return c == null ? AdminAccess.ANONYMOUS : c;
  }

  /** Sends progress (at most once per percent) and the end of one Evaluate call. */
  private static final class Progress {
    private final ServerCallStreamObserver<EvaluateProgress> call;
    // Guarded by this.
    private long lastPercent = -1;

    Progress(ServerCallStreamObserver<EvaluateProgress> call) {
      this.call = call;
    }

    synchronized void update(long done, long total) {
      long percent = total <= 0 ? 0 : done * 100 / total;
      if (percent != lastPercent && !call.isCancelled()) {
        lastPercent = percent;
        call.onNext(EvaluateProgress.newBuilder().setRowsDone(done).setTotalRows(total).build());
      }
    }

    synchronized void done(Evaluation e) {
      if (call.isCancelled()) {
        return;
      }
      long rows = e.candidate().metrics().rows();
      call.onNext(EvaluateProgress.newBuilder().setRowsDone(rows)
          .setTotalRows(e.dataset().rows()).setEvaluation(stored(e)).build());
      call.onCompleted();
    }

    synchronized void fail(Throwable t) {
      if (!call.isCancelled()) {
        call.onError(GrpcErrors.toStatus(t));
      }
    }
  }

  /** The token rule for Evaluate and the caller for all calls. */
  private static final class Auth implements ServerInterceptor {
    private final AdminAccess access;

    Auth(AdminAccess access) {
      this.access = access;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
        Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      if (call.getMethodDescriptor().getFullMethodName()
          .equals(EvaluationsGrpc.getEvaluateMethod().getFullMethodName())) {
        try {
          List<String> values = new ArrayList<>(1);
          Iterable<String> sent = headers.getAll(AdminAuth.AUTHORIZATION);
          if (sent != null) {
            sent.forEach(values::add);
          }
          access.checkMutation(values);
        } catch (UnauthenticatedException e) {
          call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
          return new ServerCall.Listener<>() {};
        }
      }
      Context ctx = Context.current().withValue(CALLER,
          AdminAccess.actor(headers.get(AdminAuth.ACTOR)));
      return Contexts.interceptCall(ctx, call, headers, next);
    }
  }
}
