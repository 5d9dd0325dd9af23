package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.mlserve.proto.admin.v1.ApprovalResponse;
import io.mlserve.proto.admin.v1.ApprovalsGrpc;
import io.mlserve.proto.admin.v1.ApproveRequest;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.PolicyRequest;
import io.mlserve.proto.admin.v1.PromoteRequest;
import io.mlserve.proto.admin.v1.RejectRequest;
import io.mlserve.proto.admin.v1.SetPolicyRequest;
import io.mlserve.proto.admin.v1.VersionApprovalRequest;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Approvals service: token rule, policy errors, the manual flow, FAILED_PRECONDITION. */
class ApprovalsGrpcServiceTest {
  private static final String TOKEN = "s3cret";
  private static final String POLICY = "{\"mode\": \"manual\", \"datasets\": [\"holdout\"],"
      + " \"gates\": [{\"metric\": \"rmse\", \"max_ratio\": 1.0}]}";

  @TempDir Path tmp;
  private EventLog events;
  private Server server;
  private ManagedChannel channel;
  private ModelRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    ModelStore store = ModelStore.open(root);
    events = EventLog.open(root);
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
        List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
    for (String v : List.of("1.0.0", "1.1.0")) {
      registry.register(new RegisterRequest("m", v, artifact, "torchscript", sig, null, null,
          null, null, null, null, "alice"));
    }
    AdminServices admin = AdminServices.create(registry, store, events, TOKEN,
        Clock.systemUTC(), 1000, "test");
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(admin.service())
        .addService(admin.approvals()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    events.close();
  }

  private Metadata md(String token, String actor) {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(AdminAuth.AUTHORIZATION, "Bearer " + token);
    }
    md.put(AdminAuth.ACTOR, actor);
    return md;
  }

  private ApprovalsGrpc.ApprovalsBlockingStub approvals(String token, String actor) {
    return ApprovalsGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md(token, actor)));
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void mutationsNeedTheTokenAndReadsDoNot() {
    SetPolicyRequest set = SetPolicyRequest.newBuilder().setModel("m").setPolicyJson(POLICY)
        .build();
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> approvals(null, "bob").setPolicy(set)));
    assertEquals(Status.Code.UNAUTHENTICATED,
        code(() -> approvals("wrong", "bob").setPolicy(set)));
    assertFalse(registry.approvals().policy("m").isPresent());
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> approvals(null, "bob").approve(
        ApproveRequest.newBuilder().setModel("m").setVersion("1.1.0").build())));
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> approvals(null, "bob").reject(
        RejectRequest.newBuilder().setModel("m").setVersion("1.1.0").build())));
    assertTrue(approvals(TOKEN, "bob").setPolicy(set).getHasPolicy());
    assertTrue(approvals(null, "bob").getPolicy(PolicyRequest.newBuilder().setModel("m")
        .build()).getPolicyJson().contains("\"mode\":\"manual\""));
  }

  @Test
  void aBadPolicyIsInvalidArgumentNamingTheField() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> approvals(TOKEN, "bob").setPolicy(SetPolicyRequest.newBuilder().setModel("m")
            .setPolicyJson("{\"mode\": \"sometimes\", \"datasets\": [\"h\"]}").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("mode 'sometimes' is not one of automatic, manual, hybrid",
        e.getStatus().getDescription());
  }

  @Test
  void promotionWithoutApprovalIsFailedPreconditionThenApprovalAllowsIt() {
    approvals(TOKEN, "alice").setPolicy(SetPolicyRequest.newBuilder().setModel("m")
        .setPolicyJson(POLICY).build());
    registry.promote("m", "1.1.0", Stage.STAGING, "alice", null);
    registry.approvals().beginEvaluation("m", "1.1.0", "server");
    registry.approvals().recordEvaluation("m", "1.1.0", "ev-1", Map.of("rmse", 0.4), null,
        "evaluator");
    ModelRegistryGrpc.ModelRegistryBlockingStub admin = ModelRegistryGrpc.newBlockingStub(
        channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md(TOKEN, "bob")));
    PromoteRequest promote = PromoteRequest.newBuilder().setModel("m").setVersion("1.1.0")
        .setStage("Production").build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> admin.promote(promote));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("m 1.1.0 has no approval"));
    ApprovalResponse a = approvals(TOKEN, "bob").approve(ApproveRequest.newBuilder()
        .setModel("m").setVersion("1.1.0").setComment("ok").build());
    assertEquals("APPROVED", a.getState());
    assertTrue(a.getApprovalJson().contains("\"actor\":\"bob\""), a.getApprovalJson());
    assertEquals("Production", admin.promote(promote).getToStage());
    assertEquals("APPROVED", approvals(null, "x").getApproval(VersionApprovalRequest
        .newBuilder().setModel("m").setVersion("1.1.0").build()).getState());
  }
}
