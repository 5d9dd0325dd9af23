package io.mlserve.registry.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalJson;
import io.mlserve.approval.Policy;
import io.mlserve.approval.PolicyJson;
import io.mlserve.proto.admin.v1.ApprovalResponse;
import io.mlserve.proto.admin.v1.ApprovalsGrpc;
import io.mlserve.proto.admin.v1.ApproveRequest;
import io.mlserve.proto.admin.v1.ClearPolicyRequest;
import io.mlserve.proto.admin.v1.ListApprovalsResponse;
import io.mlserve.proto.admin.v1.PolicyRequest;
import io.mlserve.proto.admin.v1.PolicyResponse;
import io.mlserve.proto.admin.v1.RejectRequest;
import io.mlserve.proto.admin.v1.SetPolicyRequest;
import io.mlserve.proto.admin.v1.VersionApprovalRequest;
import io.mlserve.registry.ApprovalChanges;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.SemVer;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code mlserve.admin.v1.Approvals} service: thin over {@link ApprovalChanges}. Policies and
 * approval records travel as their store JSON. Wrapped with {@link AdminAuth} by
 * {@link AdminServices}, so the mutations need the admin token. Thread-safe.
 */
final class ApprovalsGrpcService extends ApprovalsGrpc.ApprovalsImplBase {
  private final ModelRegistry registry;
  private final ApprovalChanges approvals;

  ApprovalsGrpcService(ModelRegistry registry) {
    this.registry = registry;
    this.approvals = registry.approvals();
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    AdminErrors.unary(out, body);
  }

  @Override
  public void setPolicy(SetPolicyRequest req, StreamObserver<PolicyResponse> out) {
    unary(out, () -> policy(req.getModel(), Optional.of(approvals.setPolicy(req.getModel(),
        PolicyJson.parse(req.getPolicyJson()), AdminAuth.caller(),
        AdminProtos.orNull(req.getReason())))));
  }

  @Override
  public void getPolicy(PolicyRequest req, StreamObserver<PolicyResponse> out) {
    unary(out, () -> policy(req.getModel(), approvals.policy(req.getModel())));
  }

  @Override
  public void clearPolicy(ClearPolicyRequest req, StreamObserver<PolicyResponse> out) {
    unary(out, () -> {
      approvals.clearPolicy(req.getModel(), AdminAuth.caller(),
          AdminProtos.orNull(req.getReason()));
      return policy(req.getModel(), Optional.empty());
    });
  }

  @Override
  public void approve(ApproveRequest req, StreamObserver<ApprovalResponse> out) {
    unary(out, () -> approval(approvals.approve(req.getModel(), req.getVersion(),
        AdminAuth.caller(), AdminProtos.orNull(req.getComment()), req.getOverride(),
        AdminProtos.orNull(req.getReason()))));
  }

  @Override
  public void reject(RejectRequest req, StreamObserver<ApprovalResponse> out) {
    unary(out, () -> approval(approvals.reject(req.getModel(), req.getVersion(),
        AdminAuth.caller(), AdminProtos.orNull(req.getComment()))));
  }

  @Override
  public void getApproval(VersionApprovalRequest req, StreamObserver<ApprovalResponse> out) {
    unary(out, () -> approval(approvals.approval(req.getModel(), req.getVersion())));
  }

  @Override
  public void listApprovals(PolicyRequest req, StreamObserver<ListApprovalsResponse> out) {
    unary(out, () -> {
      String model = req.getModel();
      Optional<Policy> policy = approvals.policy(model);
      List<String> versions = registry.store().versions(model).stream()
          .sorted(Comparator.comparing(SemVer::parse, SemVer::comparePrecedence).reversed())
          .toList();
      ListApprovalsResponse.Builder b = ListApprovalsResponse.newBuilder().setModel(model)
          .setMode(policy.map(p -> p.mode().wireName()).orElse(""));
      for (String v : versions) {
        b.addApprovals(approval(approvals.approval(model, v)));
      }
      return b.build();
    });
  }

  static PolicyResponse policy(String model, Optional<Policy> p) {
    return PolicyResponse.newBuilder().setModel(model).setHasPolicy(p.isPresent())
        .setPolicyJson(p.map(x -> PolicyJson.toJson(x).toString()).orElse("")).build();
  }

  static ApprovalResponse approval(Approval a) {
    return ApprovalResponse.newBuilder().setModel(a.model()).setVersion(a.version())
        .setState(a.state().name()).setApprovalJson(ApprovalJson.toJson(a).toString()).build();
  }
}
