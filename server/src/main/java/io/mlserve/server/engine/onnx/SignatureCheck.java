package io.mlserve.server.engine.onnx;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides the signature an ONNX version serves with. A manifest without inputs serves the graph's
 * signature as read; a manifest with inputs must name every graph input, each with the graph's
 * datatype and rank, and a dimension the graph fixes may not be given another size (a manifest
 * {@code -1} there takes the graph's size, so a fixed batch of 1 turns batching off). Manifest
 * outputs may be a subset of the graph's, in any order; none means all of them. Stateless;
 * thread-safe.
 */
final class SignatureCheck {
  private SignatureCheck() {}

  /**
   * @throws IllegalArgumentException naming the tensor that does not match and how
   */
  static Signature resolve(OnnxGraph graph, Signature manifest) {
    if (manifest.inputs().isEmpty()) {
      if (!manifest.outputs().isEmpty()) {
        return new Signature(graph.inputs(), match("output", graph.outputs(), manifest.outputs()));
      }
      return new Signature(graph.inputs(), graph.outputs());
    }
    List<TensorSpec> inputs = match("input", graph.inputs(), manifest.inputs());
    if (inputs.size() < graph.inputs().size()) {
      String missing = graph.inputs().stream().map(TensorSpec::name)
          .filter(n -> manifest.inputs().stream().noneMatch(m -> m.name().equals(n)))
          .collect(Collectors.joining("', '"));
      throw new IllegalArgumentException("the ONNX graph's input '" + missing
          + "' is missing from the manifest's signature");
    }
    List<TensorSpec> outputs = manifest.outputs().isEmpty() ? graph.outputs()
        : match("output", graph.outputs(), manifest.outputs());
    return new Signature(inputs, outputs);
  }

  private static List<TensorSpec> match(String role, List<TensorSpec> graph,
      List<TensorSpec> manifest) {
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    graph.forEach(t -> byName.put(t.name(), t));
    List<TensorSpec> out = new ArrayList<>(manifest.size());
    for (TensorSpec m : manifest) {
      TensorSpec g = byName.get(m.name());
      if (g == null) {
        throw new IllegalArgumentException("manifest " + role + " '" + m.name() + "' is not an "
            + role + " of the ONNX graph (graph " + role + "s: "
            + String.join(", ", byName.keySet()) + ")");
      }
      out.add(narrow(role, m, g));
    }
    return out;
  }

  private static TensorSpec narrow(String role, TensorSpec m, TensorSpec g) {
    String prefix = "manifest " + role + " '" + m.name() + "' does not match the ONNX graph: ";
    if (!m.datatype().equalsIgnoreCase(g.datatype())) {
      throw new IllegalArgumentException(prefix + "datatype " + m.datatype()
          + " in the manifest, " + g.datatype() + " in the graph");
    }
    if (m.shape().size() != g.shape().size()) {
      throw new IllegalArgumentException(prefix + "shape " + OnnxGraph.shapeText(m.shape())
          + " in the manifest, " + OnnxGraph.shapeText(g.shape()) + " in the graph");
    }
    List<Long> dims = new ArrayList<>(m.shape().size());
    for (int i = 0; i < m.shape().size(); i++) {
      long md = m.shape().get(i);
      long gd = g.shape().get(i);
      if (gd != -1 && md != -1 && md != gd) {
        throw new IllegalArgumentException(prefix + "dimension " + i + " is " + md
            + " in the manifest, " + gd + " in the graph");
      }
      dims.add(gd != -1 ? gd : md);
    }
    return new TensorSpec(m.name(), g.datatype(), dims);
  }
}
