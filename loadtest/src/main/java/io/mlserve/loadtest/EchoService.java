package io.mlserve.loadtest;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;

/**
 * {@code ModelInfer} that does no work: the first input comes back as an output named
 * {@value #OUTPUT_NAME} with the same datatype, shape and contents (typed or raw, as sent), the
 * request id echoed and the model name and version set, which is the payload a real model with
 * one same-shaped output would return. Every other RPC answers {@code UNIMPLEMENTED}.
 *
 * <p>This class is thread-safe: it has no state.
 */
final class EchoService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  static final String OUTPUT_NAME = "forecast";

  /** Answered as the version when a request names none, as a server's default version would. */
  static final String DEFAULT_VERSION = "1";

  @Override
  public void modelInfer(ModelInferRequest request,
      StreamObserver<ModelInferResponse> responseObserver) {
    if (request.getInputsCount() == 0) {
      responseObserver.onError(Status.INVALID_ARGUMENT
          .withDescription("request has no input tensor").asRuntimeException());
      return;
    }
    ModelInferRequest.InferInputTensor input = request.getInputs(0);
    ModelInferResponse.InferOutputTensor.Builder output =
        ModelInferResponse.InferOutputTensor.newBuilder()
            .setName(OUTPUT_NAME)
            .setDatatype(input.getDatatype())
            .addAllShape(input.getShapeList());
    ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
        .setModelName(request.getModelName())
        .setModelVersion(request.getModelVersion().isEmpty()
            ? DEFAULT_VERSION : request.getModelVersion())
        .setId(request.getId());
    if (request.getRawInputContentsCount() > 0) {
      response.addOutputs(output).addRawOutputContents(request.getRawInputContents(0));
    } else {
      response.addOutputs(output.setContents(input.getContents()));
    }
    responseObserver.onNext(response.build());
    responseObserver.onCompleted();
  }
}
