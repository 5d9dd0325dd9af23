package io.mlserve.loadtest;

import io.grpc.ManagedChannel;
import io.mlserve.proto.inference.ModelMetadataResponse;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the load goes and what it carries; shared by every command (a picocli mixin). Inputs come
 * from the model's signature (gRPC ModelMetadata), from {@code --input-file}, or, when the server
 * has no metadata call, from {@code --input-name}/{@code --features}. Not thread-safe; used once
 * per command before the run.
 */
final class TargetOptions {
  @Option(names = "--target", required = true,
      description = "grpc://HOST:PORT (OIP ModelInfer; bare HOST:PORT means gRPC) or"
          + " http://HOST:PORT (REST /api/v1).")
  String target;

  @Option(names = "--model", defaultValue = "curve_forecaster", split = ",",
      description = "Model(s) of the traffic mix, NAME or NAME=WEIGHT (repeat or comma-separate:"
          + " a=3,b=1). Default: ${DEFAULT-VALUE}")
  List<String> models;

  @Option(names = "--input-file",
      description = "JSONL, one request a line: {\"model\": ..., \"input\": [numbers]}.")
  Path inputFile;

  @Option(names = "--features", defaultValue = "24",
      description = "Values per row when the server gives no signature. Default: ${DEFAULT-VALUE}")
  int features;

  @Option(names = "--input-name", defaultValue = "curve",
      description = "Input name when the server gives no signature. Default: ${DEFAULT-VALUE}")
  String inputName;

  @Option(names = "--batch-size", defaultValue = "1",
      description = "Rows per request (REST needs --http-api batch for > 1). Default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--http-api", defaultValue = "predict",
      description = "REST endpoint: predict (/api/v1/predict) or batch (/api/v1/batch)."
          + " Default: ${DEFAULT-VALUE}")
  String httpApi;

  @Option(names = "--channels", defaultValue = "1",
      description = "gRPC connections the calls are spread over. Default: ${DEFAULT-VALUE}")
  int channels;

  @Option(names = "--connections", defaultValue = "0",
      description = "REST: keep-alive connections, one request in flight on each; more wait for"
          + " a free one. Default: the concurrency (closed loop), else "
          + HttpTarget.DEFAULT_CONNECTIONS + ".")
  int connections;

  @Option(names = "--io-threads", defaultValue = "1",
      description = "REST: event loop threads of the client. Default: ${DEFAULT-VALUE}")
  int ioThreads;

  @Option(names = "--raw", description = "gRPC: send raw_input_contents instead of typed contents.")
  boolean raw;

  @Option(names = "--connect-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the probe request may take. Default: ${DEFAULT-VALUE}")
  Duration connectTimeout;

  boolean http() {
    return target.startsWith("http://");
  }

  /** {@code host:port} of a gRPC target. */
  String grpcAddress() {
    return target.startsWith("grpc://") ? target.substring("grpc://".length()) : target;
  }

  /** Opens the target for an open loop (or a closed one of unknown concurrency). */
  Target open(PrintWriter err) throws Exception {
    return open(err, 0);
  }

  /**
   * Opens the target: channels, signatures, request pool. Notes go to {@code err}.
   *
   * @param concurrency closed loop's requests in flight (the REST pool's default size), or 0
   */
  Target open(PrintWriter err, int concurrency) throws Exception {
    if (target.startsWith("https://")) {
      throw new IllegalArgumentException("https is not supported; use http:// on loopback");
    }
    if (!http() && target.contains("://") && !target.startsWith("grpc://")) {
      throw new IllegalArgumentException("target must be grpc://HOST:PORT or http://HOST:PORT");
    }
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be >= 1, got " + channels);
    }
    if (http()) {
      boolean batch = switch (httpApi) {
        case "predict" -> false;
        case "batch" -> true;
        default -> throw new IllegalArgumentException("--http-api is predict or batch");
      };
      if (connections < 0) {
        throw new IllegalArgumentException("connections must be >= 0, got " + connections);
      }
      int pool = connections > 0 ? connections
          : concurrency > 0 ? concurrency : HttpTarget.DEFAULT_CONNECTIONS;
      if (ioThreads < 1 || ioThreads > pool) {
        throw new IllegalArgumentException("--io-threads must be between 1 and the connections ("
            + pool + "), got " + ioThreads);
      }
      return new HttpTarget(target.replaceAll("/+$", ""), workload(null, err), batch,
          connectTimeout, pool, ioThreads);
    }
    List<ManagedChannel> opened = GrpcTarget.open(grpcAddress(), channels);
    try {
      return GrpcTarget.over(grpcAddress(), opened, workload(opened.get(0), err), raw);
    } catch (RuntimeException e) {
      opened.forEach(ManagedChannel::shutdownNow);
      throw e;
    }
  }

  private Workload workload(ManagedChannel metadataChannel, PrintWriter err) throws Exception {
    Map<String, List<float[]>> fromFile = inputFile == null ? Map.of()
        : Inputs.readJsonl(inputFile, name(models.get(0)));
    List<ModelInput> inputs = new ArrayList<>();
    for (String spec : models) {
      String model = name(spec);
      int weight = weight(spec);
      String input = inputName;
      int n = features;
      if (metadataChannel != null) {
        ModelMetadataResponse md = null;
        try {
          md = GrpcTarget.metadata(metadataChannel, model, connectTimeout.toMillis());
        } catch (io.grpc.StatusRuntimeException e) {
          err.println("loadtest: no metadata for " + model + " (" + e.getStatus().getCode()
              + (e.getStatus().getDescription() == null ? "" : ": "
                  + ServerAnswer.oneLine(e.getStatus().getDescription()))
              + "); using --input-name " + inputName + " --features " + features);
        }
        if (md != null && md.getInputsCount() > 0) {
          input = md.getInputs(0).getName();
          n = 1;
          List<Long> shape = md.getInputs(0).getShapeList();
          for (int i = 1; i < shape.size(); i++) {
            n *= (int) Math.max(1, shape.get(i));
          }
        }
      }
      List<float[]> rows;
      if (inputFile != null) {
        rows = fromFile.get(model);
        if (rows == null) {
          throw new IllegalArgumentException(inputFile + " has no input for model " + model);
        }
        n = rows.get(0).length;
      } else {
        rows = Inputs.generated(n, Workload.PER_MODEL);
      }
      inputs.add(new ModelInput(model, weight, input, n, rows));
    }
    return new Workload(inputs, batchSize);
  }

  static String name(String spec) {
    int eq = spec.indexOf('=');
    return (eq < 0 ? spec : spec.substring(0, eq)).trim();
  }

  static int weight(String spec) {
    int eq = spec.indexOf('=');
    return eq < 0 ? 1 : Integer.parseInt(spec.substring(eq + 1).trim());
  }

  String modelNames() {
    return String.join(",", models.stream().map(TargetOptions::name).toList());
  }
}
