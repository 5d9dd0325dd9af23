package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A version directory's golden examples ({@code examples.json}: inputs, the outputs the source
 * framework computed, a tolerance) read against its manifest's signature, as requests to send
 * and a check of what a server answered. Values are kept as doubles: every FP32 golden value is
 * the exact value of a float, and INT64 labels are small. Immutable.
 */
record Golden(Map<String, Tensor> inputs, Map<String, Tensor> outputs, double tolerance) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tensor of the examples: datatype, shape, row-major values. */
  record Tensor(String datatype, List<Long> shape, List<Double> values) {}

  static Golden read(Path versionDir, Manifest manifest) throws IOException {
    JsonNode root = JSON.readTree(versionDir.resolve("examples.json").toFile());
    return new Golden(tensors(root.get("inputs"), manifest.signature().inputs()),
        tensors(root.get("outputs"), manifest.signature().outputs()),
        root.path("tolerance").asDouble(1e-5));
  }

  private static Map<String, Tensor> tensors(JsonNode node, List<TensorSpec> specs) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec s : specs) {
      JsonNode n = node.isArray() ? node : node.get(s.name());
      List<Long> shape = new ArrayList<>();
      for (JsonNode d = n; d.isArray(); d = d.get(0)) {
        shape.add((long) d.size());
      }
      out.put(s.name(), new Tensor(s.datatype(), shape, flatten(n)));
    }
    return out;
  }

  /** The numbers of a nested JSON array, row-major. */
  static List<Double> flatten(JsonNode n) {
    List<Double> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(c -> out.addAll(flatten(c)));
    } else {
      out.add(n.asDouble());
    }
    return out;
  }

  /** The input rows of a model with one input of rank 2, as floats. */
  List<float[]> inputRows() {
    Tensor t = inputs.values().iterator().next();
    int cols = t.shape().get(1).intValue();
    List<float[]> rows = new ArrayList<>();
    for (int r = 0; r < t.shape().get(0); r++) {
      float[] row = new float[cols];
      for (int c = 0; c < cols; c++) {
        row[c] = t.values().get(r * cols + c).floatValue();
      }
      rows.add(row);
    }
    return rows;
  }

  /** A ModelInfer request with every example row, typed contents. */
  ModelInferRequest grpcRequest(String model) {
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
    inputs.forEach((name, t) -> {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (double v : t.values()) {
        switch (t.datatype()) {
          case "FP32" -> c.addFp32Contents((float) v);
          case "FP64" -> c.addFp64Contents(v);
          case "INT64" -> c.addInt64Contents((long) v);
          default -> throw new IllegalArgumentException("no golden input of " + t.datatype());
        }
      }
      b.addInputs(InferInputTensor.newBuilder().setName(name).setDatatype(t.datatype())
          .addAllShape(t.shape()).setContents(c));
    });
    return b.build();
  }

  /** An OIP REST infer body with every example row. */
  String restBody() {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode in = body.putArray("inputs");
    inputs.forEach((name, t) -> {
      ObjectNode o = in.addObject().put("name", name).put("datatype", t.datatype());
      t.shape().forEach(o.putArray("shape")::add);
      ArrayNode data = o.putArray("data");
      t.values().forEach(v -> {
        if (t.datatype().equals("INT64")) {
          data.add(v.longValue());
        } else {
          data.add(v);
        }
      });
    });
    return body.toString();
  }

  /**
   * Checks a served output against the golden one: the datatype, then INT64 values exactly and
   * floating-point ones within the tolerance (relative above magnitude 1, as the server's own
   * golden check).
   */
  void check(String model, String name, String datatype, List<Double> got) {
    Tensor want = outputs.get(name);
    assertTrue(want != null, model + ": unexpected output '" + name + "'");
    assertEquals(want.datatype(), datatype, model + " output " + name);
    assertEquals(want.values().size(), got.size(), model + " output " + name + " size");
    for (int k = 0; k < got.size(); k++) {
      double w = want.values().get(k);
      double g = got.get(k);
      if (datatype.equals("INT64")) {
        assertEquals((long) w, (long) g, model + " " + name + "[" + k + "]");
      } else {
        assertTrue(Math.abs(w - g) <= tolerance * Math.max(1.0, Math.abs(w)), model + " " + name
            + "[" + k + "]: scikit-learn " + w + ", served " + g + " (tolerance " + tolerance
            + ")");
      }
    }
  }
}
