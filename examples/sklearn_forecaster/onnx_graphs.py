"""Hand-built ONNX graphs for fitted scikit-learn models, and a numpy reading of those graphs.

There is no ONNX converter (skl2onnx) and no ONNX runtime for Python here, so this module
writes the graphs with onnx.helper from the fitted estimators' own arrays, and
`evaluate_*` re-reads the graph attributes (not the estimator) with the operator's published
semantics, so make_models.py can check the conversion before the server checks it for real.

Semantics that matter for equality with scikit-learn:
* sklearn's trees compare float32 features with float64 thresholds, `x <= threshold`. For a
  float32 x that is the same as `x <= t32` where t32 is the largest float32 not above the
  threshold, so thresholds are rounded down (not to nearest) and the node mode is BRANCH_LEQ.
* GradientBoostingRegressor: init (the training mean) + learning_rate * sum of tree values:
  base_values = [init], target_weights = learning_rate * leaf value, aggregate SUM.
* RandomForestClassifier: the mean over trees of each leaf's class fractions: class_weights =
  fraction / n_trees, summed (TreeEnsembleClassifier always sums), post_transform NONE; the
  label is the class with the highest score. No ZipMap: the probabilities are a [N, classes]
  tensor.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
ML_OPSET = 3
IR_VERSION = 8


def _model(graph, producer):
    model = helper.make_model(
        graph, producer_name=producer,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def threshold_down(t):
    """The largest float32 <= t (a float64): `x <= t` and `x <= threshold_down(t)` agree for
    every float32 x."""
    f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return f


def linear(coef, intercept, n_features, elem, input_name, output_name):
    """y = x @ coef + intercept as MatMul + Add; elem is TensorProto.FLOAT or DOUBLE."""
    dtype = np.float32 if elem == TensorProto.FLOAT else np.float64
    w = numpy_helper.from_array(np.asarray(coef, dtype=dtype).reshape(n_features, 1), "coef")
    b = numpy_helper.from_array(np.asarray([intercept], dtype=dtype), "intercept")
    graph = helper.make_graph(
        [helper.make_node("MatMul", [input_name, "coef"], ["xw"]),
         helper.make_node("Add", ["xw", "intercept"], [output_name])],
        "linear",
        [helper.make_tensor_value_info(input_name, elem, ["N", n_features])],
        [helper.make_tensor_value_info(output_name, elem, ["N", 1])],
        initializer=[w, b])
    return _model(graph, "mlserve examples/sklearn_forecaster (linear)")


def _tree_nodes(trees):
    """Flattens sklearn tree_ objects into the TreeEnsemble node attribute lists."""
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids")}
    for tid, t in enumerate(trees):
        for n in range(t.node_count):
            leaf = t.children_left[n] == -1
            a["nodes_treeids"].append(tid)
            a["nodes_nodeids"].append(n)
            a["nodes_featureids"].append(0 if leaf else int(t.feature[n]))
            a["nodes_values"].append(0.0 if leaf else float(threshold_down(t.threshold[n])))
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            a["nodes_truenodeids"].append(0 if leaf else int(t.children_left[n]))
            a["nodes_falsenodeids"].append(0 if leaf else int(t.children_right[n]))
    return a


def gbm_regressor(gbm, n_features, input_name, output_name):
    """A fitted GradientBoostingRegressor (squared error) as TreeEnsembleRegressor."""
    trees = [e[0].tree_ for e in gbm.estimators_]
    attrs = _tree_nodes(trees)
    attrs.update(target_treeids=[], target_nodeids=[], target_ids=[], target_weights=[])
    for tid, t in enumerate(trees):
        for n in range(t.node_count):
            if t.children_left[n] == -1:
                attrs["target_treeids"].append(tid)
                attrs["target_nodeids"].append(n)
                attrs["target_ids"].append(0)
                attrs["target_weights"].append(float(gbm.learning_rate * t.value[n][0][0]))
    init = float(np.asarray(gbm.init_.constant_).reshape(-1)[0])
    node = helper.make_node("TreeEnsembleRegressor", [input_name], [output_name],
                            domain="ai.onnx.ml", n_targets=1, aggregate_function="SUM",
                            post_transform="NONE", base_values=[init], **attrs)
    graph = helper.make_graph(
        [node], "gbm",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["N", 1])])
    return _model(graph, "mlserve examples/sklearn_forecaster (gradient boosting)")


def forest_classifier(forest, n_features, input_name, label_name, proba_name):
    """A fitted RandomForestClassifier as TreeEnsembleClassifier: INT64 labels [N] and the
    class probabilities as a FP32 [N, classes] tensor (no ZipMap)."""
    trees = [e.tree_ for e in forest.estimators_]
    classes = [int(c) for c in forest.classes_]
    attrs = _tree_nodes(trees)
    attrs.update(class_treeids=[], class_nodeids=[], class_ids=[], class_weights=[])
    for tid, t in enumerate(trees):
        for n in range(t.node_count):
            if t.children_left[n] != -1:
                continue
            counts = t.value[n][0]
            for c, share in enumerate(counts / counts.sum()):
                attrs["class_treeids"].append(tid)
                attrs["class_nodeids"].append(n)
                attrs["class_ids"].append(c)
                attrs["class_weights"].append(float(share / len(trees)))
    node = helper.make_node("TreeEnsembleClassifier", [input_name], [label_name, proba_name],
                            domain="ai.onnx.ml", classlabels_int64s=classes,
                            post_transform="NONE", **attrs)
    graph = helper.make_graph(
        [node], "regime",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info(label_name, TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info(proba_name, TensorProto.FLOAT, ["N", len(classes)])])
    return _model(graph, "mlserve examples/sklearn_forecaster (random forest classifier)")


# ------------------------------------------------------------------------- numpy reading
def _attrs(model):
    node = model.graph.node[0]
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _leaves(a, x):
    """For each row of x (float32) the leaf node id reached in each tree: dict tree -> [rows]."""
    index = {}
    for i, (t, n) in enumerate(zip(a["nodes_treeids"], a["nodes_nodeids"])):
        index[(t, n)] = i
    trees = sorted(set(a["nodes_treeids"]))
    out = {}
    for t in trees:
        reached = []
        for row in x:
            i = index[(t, 0)]
            while a["nodes_modes"][i] != b"LEAF":
                v = np.float32(row[a["nodes_featureids"][i]])
                go_true = v <= np.float32(a["nodes_values"][i])
                i = index[(t, a["nodes_truenodeids"][i] if go_true else a["nodes_falsenodeids"][i])]
            reached.append(a["nodes_nodeids"][i])
        out[t] = reached
    return out


def evaluate_regressor(model, x):
    """TreeEnsembleRegressor (SUM, one target) on x, accumulated in float32 as a runtime does."""
    a = _attrs(model)
    leaves = _leaves(a, x)
    weight = {(t, n): w for t, n, w in
              zip(a["target_treeids"], a["target_nodeids"], a["target_weights"])}
    y = np.zeros(len(x), dtype=np.float32)
    for t, reached in leaves.items():
        y += np.array([weight[(t, n)] for n in reached], dtype=np.float32)
    return (y + np.float32(a["base_values"][0])).reshape(-1, 1)


def evaluate_classifier(model, x):
    """TreeEnsembleClassifier on x: (labels, scores) with float32 scores."""
    a = _attrs(model)
    labels = list(a["classlabels_int64s"])
    leaves = _leaves(a, x)
    weights = {}
    for t, n, c, w in zip(a["class_treeids"], a["class_nodeids"], a["class_ids"],
                          a["class_weights"]):
        weights.setdefault((t, n), np.zeros(len(labels), dtype=np.float32))[c] = w
    scores = np.zeros((len(x), len(labels)), dtype=np.float32)
    for t, reached in leaves.items():
        scores += np.stack([weights[(t, n)] for n in reached])
    return np.array(labels, dtype=np.int64)[scores.argmax(axis=1)], scores


def evaluate_linear(model, x):
    w = numpy_helper.to_array(model.graph.initializer[0])
    b = numpy_helper.to_array(model.graph.initializer[1])
    return x.astype(w.dtype) @ w + b
