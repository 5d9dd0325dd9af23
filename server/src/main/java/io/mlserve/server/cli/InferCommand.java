package io.mlserve.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlserve infer}: a small Open Inference Protocol client for FP32 models with one input,
 * to try a server by hand. Sends rows from {@code --values} or an examples file and prints the
 * outputs; with an examples file that holds reference outputs it also prints the largest
 * difference.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
    description = "Call ModelInfer on a running server (FP32, one input).")
final class InferCommand implements Callable<Integer> {
  @Option(names = "--target", defaultValue = "localhost:8500", description = "host:port of gRPC")
  String target;

  @Option(names = "--model", required = true)
  String model;

  @Option(names = "--version", defaultValue = "", description = "Empty: the Production version")
  String version;

  @Option(names = "--values", split = ",", description = "One row of comma-separated numbers")
  List<Float> values;

  @Option(names = "--examples", description = "An examples.json: sends its \"inputs\" rows")
  Path examples;

  @Option(names = "--rows", defaultValue = "2", description = "How many example rows to send")
  int rows;

  @Override
  public Integer call() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS);
      ModelMetadataResponse meta = stub.modelMetadata(
          ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build());
      var input = meta.getInputs(0);
      List<float[]> batch = new ArrayList<>();
      JsonNode expected = null;
      if (examples != null) {
        JsonNode root = new ObjectMapper().readTree(examples.toFile());
        JsonNode in = root.get("inputs");
        for (int r = 0; r < Math.min(rows, in.size()); r++) {
          batch.add(floats(in.get(r)));
        }
        expected = root.get("outputs");
      } else if (values != null) {
        float[] row = new float[values.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = values.get(i);
        }
        batch.add(row);
      } else {
        System.err.println("give --values or --examples");
        return 2;
      }
      int width = batch.get(0).length;
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      batch.forEach(r -> {
        for (float v : r) {
          contents.addFp32Contents(v);
        }
      });
      ModelInferRequest req = ModelInferRequest.newBuilder()
          .setModelName(model).setModelVersion(version).setId("mlserve-infer")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
              .setName(input.getName()).setDatatype("FP32")
              .addShape(batch.size()).addShape(width).setContents(contents))
          .build();
      ModelInferResponse resp = stub.modelInfer(req);
      System.out.println("model " + resp.getModelName() + " version " + resp.getModelVersion());
      var out = resp.getOutputs(0);
      int cols = (int) out.getShape(1);
      double maxDiff = 0;
      for (int r = 0; r < out.getShape(0); r++) {
        StringBuilder sb = new StringBuilder(out.getName() + "[" + r + "] =");
        for (int c = 0; c < cols; c++) {
          float v = out.getContents().getFp32Contents(r * cols + c);
          sb.append(String.format(Locale.ROOT, " %.3f", v));
          if (expected != null) {
            maxDiff = Math.max(maxDiff, Math.abs(v - expected.get(r).get(c).floatValue()));
          }
        }
        System.out.println(sb);
      }
      if (expected != null) {
        System.out.printf(Locale.ROOT, "max |difference| from the reference outputs: %.2e%n",
            maxDiff);
      }
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println("mlserve infer: " + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static float[] floats(JsonNode row) {
    float[] f = new float[row.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = row.get(i).floatValue();
    }
    return f;
  }
}
