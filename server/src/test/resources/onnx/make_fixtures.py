#!/usr/bin/python3
"""Writes the tiny ONNX fixtures the ONNX engine's tests load (run from anywhere with Debian's
python3-onnx: /usr/bin/python3 make_fixtures.py). The outputs are committed; CI needs no Python.

  dense_dynamic.onnx  x FP32 [N,3] -> y FP32 [N,2] = x @ W + b   (symbolic batch "N")
  dense_v2.onnx       same graph, other weights (a second version for reload tests)
  dense_fixed.onnx    same graph with a fixed batch of 1
  mixed_types.onnx    a INT64 [-1,2], b FP64 [-1,2] -> sum FP64 = cast(a) + b, twice INT64 = a * 2
  string_label.onnx   x FP32 [N,2] -> label STRING [N], probabilities FP32 [N,3]
                      (an ONNX-ML TreeEnsembleClassifier stump on x[0] <= 0.5: "no" else "yes";
                      three classes, as ONNX Runtime labels two-class trees by its own rule)
  zipmap.onnx         the same classifier with its probabilities through ONNX-ML ZipMap
  bfloat16.onnx       x BFLOAT16 [N,2] -> y (Identity): a datatype the server does not serve
  corrupt.onnx        bytes that are not an ONNX model
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSETS = [helper.make_opsetid("", 13)]
ML_OPSETS = OPSETS + [helper.make_opsetid("ai.onnx.ml", 3)]


def save(name, graph, opsets=OPSETS):
    model = helper.make_model(graph, opset_imports=opsets, producer_name="mlserve-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def dense(name, batch, w, b):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"]),
         helper.make_node("Add", ["xw", "b"], ["y"])],
        "dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 2])],
        [numpy_helper.from_array(np.asarray(w, np.float32), "W"),
         numpy_helper.from_array(np.asarray(b, np.float32), "b")])
    save(name, graph)


def mixed():
    graph = helper.make_graph(
        [helper.make_node("Cast", ["a"], ["a64"], to=TensorProto.DOUBLE),
         helper.make_node("Add", ["a64", "b"], ["sum"]),
         helper.make_node("Mul", ["a", "two"], ["twice"])],
        "mixed",
        [helper.make_tensor_value_info("a", TensorProto.INT64, [-1, 2]),
         helper.make_tensor_value_info("b", TensorProto.DOUBLE, [-1, 2])],
        [helper.make_tensor_value_info("sum", TensorProto.DOUBLE, [-1, 2]),
         helper.make_tensor_value_info("twice", TensorProto.INT64, [-1, 2])],
        [numpy_helper.from_array(np.asarray(2, np.int64), "two")])
    save("mixed_types.onnx", graph)


def map_type():
    """map(string, float): this onnx has no make_map_type_proto."""
    t = onnx.TypeProto()
    t.map_type.key_type = TensorProto.STRING
    t.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return t


def classifier(name, zipmap):
    stump = helper.make_node(
        "TreeEnsembleClassifier", ["x"], ["label", "probabilities"], domain="ai.onnx.ml",
        classlabels_strings=["no", "maybe", "yes"],
        nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
        nodes_values=[0.5, 0.0, 0.0], nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
        class_treeids=[0] * 6, class_nodeids=[1, 1, 1, 2, 2, 2], class_ids=[0, 1, 2, 0, 1, 2],
        class_weights=[0.75, 0.125, 0.125, 0.125, 0.125, 0.75], post_transform="NONE")
    nodes = [stump]
    outputs = [helper.make_tensor_value_info("label", TensorProto.STRING, ["N"])]
    if zipmap:
        nodes.append(helper.make_node("ZipMap", ["probabilities"], ["probability_map"],
                                      domain="ai.onnx.ml",
                                      classlabels_strings=["no", "maybe", "yes"]))
        outputs.append(helper.make_value_info(
            "probability_map", helper.make_sequence_type_proto(map_type())))
    else:
        outputs.append(helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                                     ["N", 3]))
    graph = helper.make_graph(
        nodes, "classifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])], outputs)
    save(name, graph, ML_OPSETS)


def bfloat16():
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "bf16",
        [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, ["N", 2])])
    save("bfloat16.onnx", graph)


if __name__ == "__main__":
    w1 = [[1.0, 0.5], [-1.0, 2.0], [0.25, -0.5]]
    dense("dense_dynamic.onnx", "N", w1, [0.5, -1.0])
    dense("dense_v2.onnx", "N", [[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [0.0, 1.0])
    dense("dense_fixed.onnx", 1, w1, [0.5, -1.0])
    mixed()
    classifier("string_label.onnx", False)
    classifier("zipmap.onnx", True)
    bfloat16()
    with open(os.path.join(HERE, "corrupt.onnx"), "wb") as f:
        f.write(b"\x08\x07\x12\x05not an onnx model, just bytes\xff\xfe")
