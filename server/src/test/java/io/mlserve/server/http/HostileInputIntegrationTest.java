package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A table of hostile requests over both transports: each must be refused with its status, a
 * message that says what was wrong, and nothing of the server's insides (no Java class names,
 * no exception names, no store path).
 */
class HostileInputIntegrationTest extends GatewayIntegrationBase {
  private static final String V2 = "/v2/models/" + MODEL + "/infer";
  private static final String PREDICT = "/api/v1/predict";
  private static final String BATCH = "/api/v1/batch";

  /** One hostile HTTP request: where, what, the status it must get and words the error names. */
  private record HttpCase(String path, String body, int status, String... mentions) {}

  private static String row(String value) {
    List<String> v = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      v.add("1.5");
    }
    v.add(3, value);
    return "[" + String.join(",", v) + "]";
  }

  private static String v2(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"curve\",\"shape\":" + shape + ",\"datatype\":" + datatype
        + ",\"data\":" + data + "}]}";
  }

  private static String predict(String input) {
    return "{\"model\":\"" + MODEL + "\",\"input\":" + input + "}";
  }

  private static String batch(String instances, boolean async) {
    return "{\"model\":\"" + MODEL + "\",\"async\":" + async + ",\"instances\":" + instances + "}";
  }

  private static String deep(int depth) {
    return "[".repeat(depth) + "1" + "]".repeat(depth);
  }

  private static final List<HttpCase> HTTP = List.of(
      // shapes
      new HttpCase(V2, v2("[768614336404564651,24]", "\"FP32\"", "[1]"), 400, "curve", "large"),
      new HttpCase(V2, v2("[4611686018427387904,4]", "\"FP32\"", "[1]"), 400, "curve", "large"),
      new HttpCase(V2, v2("[18446744073709551640,24]", "\"FP32\"", "[1]"), 400, "curve", "shape"),
      new HttpCase(V2, v2("[100000000,24]", "\"FP32\"", row("1")), 400, "curve"),
      new HttpCase(V2, v2("[1.5,24]", "\"FP32\"", row("1")), 400, "curve", "shape"),
      new HttpCase(V2, v2("[\"1\",24]", "\"FP32\"", row("1")), 400, "curve", "shape"),
      new HttpCase(V2, v2("[-1,24]", "\"FP32\"", row("1")), 400, "curve", "shape"),
      new HttpCase(V2, v2("[1,23]", "\"FP32\"", row("1")), 400, "curve"),
      // numbers out of range, non-finite, malformed
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1e39")), 400, "curve", "3", "FP32"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("3.5e38")), 400, "curve", "3", "FP32"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("-1e400")), 400, "curve", "3"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1" + "0".repeat(400))), 400, "curve", "3"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("NaN")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("Infinity")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1e99999999999")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("01")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1.")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("-")), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("\"1.5\"")), 400, "curve"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("null")), 400, "curve"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("{}")), 400, "curve"),
      // wrong types
      new HttpCase(V2, v2("[1,24]", "\"FP33\"", row("1")), 400, "curve", "FP33"),
      new HttpCase(V2, v2("[1,24]", "5", row("1")), 400, "datatype"),
      new HttpCase(V2, v2("[1,24]", "\"INT8\"", row("1")), 400, "curve"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", "{\"a\":1}"), 400, "curve", "data"),
      new HttpCase(V2, "{\"inputs\":{}}", 400, "inputs"),
      new HttpCase(V2, "{\"inputs\":[5]}", 400, "inputs"),
      new HttpCase(V2, "[]", 400),
      new HttpCase(V2, "", 400),
      new HttpCase(V2, "{\"inputs\":[{\"name\":\"curve\"", 400),
      new HttpCase(V2, deep(5000), 400),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", deep(5000)), 400),
      // outputs
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1")).replace("]}", "],"
          + "\"outputs\":[{\"name\":\"forecast\"},{\"name\":\"forecast\"}]}"), 400, "forecast"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1")).replace("]}", "],"
          + "\"outputs\":[\"forecast\"]}"), 400, "outputs"),
      new HttpCase(V2, v2("[1,24]", "\"FP32\"", row("1")).replace("]}", "],"
          + "\"outputs\":[{\"name\":\"nope\"}]}"), 400, "nope"),
      // the seed's API
      new HttpCase(PREDICT, predict(row("1e39")), 400, "input", "3", "FP32"),
      new HttpCase(PREDICT, predict(row("3.5e38")), 400, "input", "3", "FP32"),
      new HttpCase(PREDICT, predict(row("-3.5e38")), 400, "input", "3", "FP32"),
      new HttpCase(PREDICT, predict(row("1e400")), 400, "input", "3"),
      new HttpCase(PREDICT, predict(row("1" + "0".repeat(400))), 400, "input", "3"),
      new HttpCase(PREDICT, predict(row("1e99999999999")), 400),
      new HttpCase(PREDICT, predict(row("NaN")), 400),
      new HttpCase(PREDICT, predict(row("-Infinity")), 400),
      new HttpCase(PREDICT, predict(row("\"1.5\"")), 400, "input"),
      new HttpCase(PREDICT, predict(row("true")), 400, "input"),
      new HttpCase(PREDICT, predict("[" + row("1") + "," + row("1e39") + "]"), 400,
          "input", "[1][3]"),
      new HttpCase(PREDICT, predict(deep(5000)), 400),
      new HttpCase(PREDICT, predict(deep(500)), 400, "input"),
      new HttpCase(PREDICT, "{\"model\":5,\"input\":[1]}", 400, "model"),
      new HttpCase(PREDICT, "{\"model\":\"" + MODEL + "\",\"inputs\":{\"curve\":5}}", 400, "curve"),
      new HttpCase(PREDICT, "{\"model\":\"nope\",\"input\":[1]}", 404, "nope"),
      new HttpCase(PREDICT, "{\"model\":\"" + MODEL + "\",\"version\":\"" + "9".repeat(30)
          + ".0.0\",\"input\":[1]}", 404),
      new HttpCase(BATCH, batch("[" + row("1") + "," + row("1e39") + "]", false), 400,
          "instances", "[1][3]", "FP32"),
      new HttpCase(BATCH, batch("[" + row("1") + "," + row("1e39") + "]", true), 400,
          "instances", "[1][3]", "FP32"),
      new HttpCase(BATCH, batch("[" + row("1e400") + "]", true), 400, "instances", "[0][3]"),
      new HttpCase(BATCH, batch("[" + row("1") + "," + row("1") + "]]", false), 400));

  @Test
  void hostileHttpRequestsAreRefusedCleanly() throws Exception {
    List<String> failures = new ArrayList<>();
    for (HttpCase c : HTTP) {
      HttpResponse<String> r = http.post(c.path(), c.body());
      String what = c.path() + " " + abbreviate(c.body()) + " -> " + r.statusCode() + " "
          + r.body();
      if (r.statusCode() != c.status()) {
        failures.add("status: " + what);
        continue;
      }
      String error = HttpTestClient.error(r);
      for (String m : c.mentions()) {
        if (!error.contains(m)) {
          failures.add("does not mention '" + m + "': " + what);
        }
      }
      String leak = leak(r.body());
      if (leak != null) {
        failures.add("leaks " + leak + ": " + what);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  private static InferInputTensor.Builder curve(long... shape) {
    InferInputTensor.Builder b =
        InferInputTensor.newBuilder().setName("curve").setDatatype("FP32");
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  private static ModelInferRequest typed(float bad, int at) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < 48; i++) {
      c.addFp32Contents(i == at ? bad : 1.5f);
    }
    return ModelInferRequest.newBuilder().setModelName(MODEL)
        .addInputs(curve(2, 24).setContents(c)).build();
  }

  private static ModelInferRequest raw(String type, long[] shape, byte[] bytes) {
    InferInputTensor.Builder in = curve(shape).setDatatype(type);
    return ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(in)
        .addRawInputContents(ByteString.copyFrom(bytes)).build();
  }

  private static byte[] floats(float bad, int at) {
    ByteBuffer b = ByteBuffer.allocate(24 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 24; i++) {
      b.putFloat(i == at ? bad : 1.5f);
    }
    return b.array();
  }

  private record GrpcCase(ModelInferRequest request, Status.Code code, String... mentions) {}

  @Test
  void hostileGrpcRequestsAreRefusedCleanly() {
    InferTensorContents.Builder oneRow = InferTensorContents.newBuilder();
    for (int i = 0; i < 24; i++) {
      oneRow.addFp32Contents(1f);
    }
    List<GrpcCase> cases = List.of(
        new GrpcCase(ModelInferRequest.newBuilder().setModelName(MODEL)
            .addInputs(curve(768614336404564651L, 24)).build(), Status.Code.INVALID_ARGUMENT,
            "curve", "large"),
        new GrpcCase(raw("FP64", new long[] {1L << 61}, new byte[0]),
            Status.Code.INVALID_ARGUMENT, "curve", "large"),
        new GrpcCase(raw("FP32", new long[] {1L << 62}, new byte[0]),
            Status.Code.INVALID_ARGUMENT, "curve", "large"),
        new GrpcCase(typed(Float.NaN, 30), Status.Code.INVALID_ARGUMENT, "curve", "30"),
        new GrpcCase(typed(Float.POSITIVE_INFINITY, 47), Status.Code.INVALID_ARGUMENT, "curve",
            "47"),
        new GrpcCase(raw("FP32", new long[] {1, 24}, floats(Float.NEGATIVE_INFINITY, 5)),
            Status.Code.INVALID_ARGUMENT, "curve", "5"),
        new GrpcCase(raw("FP32", new long[] {1, 24}, new byte[95]), Status.Code.INVALID_ARGUMENT,
            "curve"),
        new GrpcCase(ModelInferRequest.newBuilder().setModelName(MODEL)
            .addInputs(curve(1, 24).setDatatype("FP33").setContents(oneRow)).build(),
            Status.Code.INVALID_ARGUMENT, "curve", "FP33"),
        new GrpcCase(ModelInferRequest.newBuilder().setModelName(MODEL)
            .addInputs(curve(1, 24).setContents(oneRow))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("forecast"))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("forecast")).build(),
            Status.Code.INVALID_ARGUMENT, "forecast"),
        new GrpcCase(ModelInferRequest.newBuilder().setModelName(MODEL)
            .addInputs(curve(2, 24).setContents(oneRow)).build(),
            Status.Code.INVALID_ARGUMENT, "curve"),
        new GrpcCase(ModelInferRequest.newBuilder().setModelName("nope")
            .addInputs(curve(1, 24).setContents(oneRow)).build(), Status.Code.NOT_FOUND, "nope"));
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    List<String> failures = new ArrayList<>();
    for (GrpcCase c : cases) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(c.request()));
      String what = c.request().getInputs(0).getShapeList() + " -> " + e.getStatus();
      if (e.getStatus().getCode() != c.code()) {
        failures.add("status: " + what);
        continue;
      }
      String description = String.valueOf(e.getStatus().getDescription());
      for (String m : c.mentions()) {
        if (!description.contains(m)) {
          failures.add("does not mention '" + m + "': " + what);
        }
      }
      String leak = leak(description);
      if (leak != null) {
        failures.add("leaks " + leak + ": " + what);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void aFiniteLargeValueInRangeIsServed() throws Exception {
    // the largest finite FP32 values are in range, whatever the model makes of them
    assertEquals(200, http.post(PREDICT, predict(row("3.4e38"))).statusCode());
    assertEquals(200, http.post(V2, v2("[1,24]", "\"FP32\"", row("-3.4028234e38"))).statusCode());
  }

  /** What of the server's insides the text shows, or null. */
  static String leak(String text) {
    if (text.contains("java.")) {
      return "a Java class name";
    }
    if (text.toLowerCase(Locale.ROOT).contains("exception")) {
      return "an exception name";
    }
    if (text.contains(storeDir.toString()) || text.contains(storeDir.toAbsolutePath().getParent()
        .toString())) {
      return "the store path";
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }
}
