package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Set;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import org.junit.jupiter.api.Test;

class RepositoryAuthTest {
  private static final ServerServiceDefinition SERVICE =
      new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {}.bindService();

  @Test
  void onlyTheMutationsAreWrappedAndInferenceCallsKeepTheirOwnHandler() {
    ServerServiceDefinition guarded = RepositoryAuth.protect(SERVICE, "secret");
    for (ServerMethodDefinition<?, ?> m : SERVICE.getMethods()) {
      String name = m.getMethodDescriptor().getFullMethodName();
      boolean wrapped = guarded.getMethod(name).getServerCallHandler() != m.getServerCallHandler();
      assertEquals(RepositoryAuth.MUTATIONS.contains(name), wrapped, name);
    }
  }

  @Test
  void theSharedMemoryRegistrationsAndRepositoryChangesAreTheMutations() {
    assertEquals(Set.of(
        GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName(),
        GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName(),
        GRPCInferenceServiceGrpc.getSystemSharedMemoryRegisterMethod().getFullMethodName(),
        GRPCInferenceServiceGrpc.getSystemSharedMemoryUnregisterMethod().getFullMethodName(),
        GRPCInferenceServiceGrpc.getCudaSharedMemoryRegisterMethod().getFullMethodName(),
        GRPCInferenceServiceGrpc.getCudaSharedMemoryUnregisterMethod().getFullMethodName()),
        RepositoryAuth.MUTATIONS);
    assertFalse(RepositoryAuth.MUTATIONS.contains(
        GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName()));
  }
}
