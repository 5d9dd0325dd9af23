package io.mlserve.server.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.json.JsonTensors;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Example inputs stored with a version ({@code examples.json}), and optionally the outputs the
 * model must reproduce within {@code tolerance} (golden pairs). Format, for a model with one
 * input and one output: {@code {"tolerance":1e-5,"inputs":[[...],...],"outputs":[[...],...]}};
 * for several, {@code inputs} and {@code outputs} are objects keyed by tensor name.
 *
 * @param inputs tensors in signature order, each with all example rows
 * @param outputs expected outputs in signature order, or null when only inputs are given
 */
public record Examples(Tensor[] inputs, Tensor[] outputs, double tolerance) {
  /** The file name inside a version directory. */
  public static final String FILE = "examples.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads the examples of a version, or returns null when it has none. */
  public static Examples read(Path versionDir, Signature signature) throws IOException {
    Path file = versionDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      // the file's name only: a message may reach a client, the server's paths must not
      throw new IOException(FILE + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    try {
      Tensor[] in = tensors(root.get("inputs"), signature.inputs());
      JsonNode out = root.get("outputs");
      Tensor[] expected = out == null || out.isNull() ? null : tensors(out, signature.outputs());
      double tol = root.path("tolerance").asDouble(1e-5);
      if (in == null) {
        throw new IllegalArgumentException("no \"inputs\"");
      }
      return new Examples(in, expected, tol);
    } catch (IllegalArgumentException e) {
      throw new IOException(FILE + ": " + e.getMessage(), e);
    }
  }

  private static Tensor[] tensors(JsonNode node, List<TensorSpec> specs) {
    if (node == null || node.isNull()) {
      return null;
    }
    Tensor[] out = new Tensor[specs.size()];
    if (node.isArray()) {
      if (specs.size() != 1) {
        throw new IllegalArgumentException(
            "an array fits a model with one tensor; this one has " + specs.size()
                + ": key them by name");
      }
      TensorSpec s = specs.get(0);
      out[0] = JsonTensors.fromNested(s.name(), DataType.parse(s.datatype()), node);
      return out;
    }
    for (int i = 0; i < specs.size(); i++) {
      TensorSpec s = specs.get(i);
      JsonNode n = node.get(s.name());
      if (n == null) {
        throw new IllegalArgumentException("no examples for tensor '" + s.name() + "'");
      }
      out[i] = JsonTensors.fromNested(s.name(), DataType.parse(s.datatype()), n);
    }
    return out;
  }
}
