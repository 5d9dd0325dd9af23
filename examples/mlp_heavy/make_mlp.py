#!/usr/bin/python3
"""The heavy benchmark MLP, 24 -> 1024 -> 1024 -> 24 with ReLU, as TorchScript and as ONNX.

The same weights (seeded, untrained: the benchmark measures compute, not accuracy) exported
twice, so the two engines can be compared on identical work:

  model.pt       torch.jit.trace of the module (version dir torchscript/ gets its manifest)
  model.onnx     torch.onnx.export with a dynamic batch axis; if the exporter is unavailable,
                 the same graph built with onnx.helper from the weights (MatMul/Add/Relu)

Writes into OUT_DIR (default: this directory) `torchscript/model.pt` and `onnx/model.onnx`,
and, next to this script, each version directory's model.json and examples.json (golden
outputs computed by torch). The artifacts (~4.4 MB each) are committed too; rerunning this
script reproduces them (same torch build).
Run with:  /usr/bin/python3 examples/mlp_heavy/make_mlp.py [OUT_DIR]
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261130
SIZES = (24, 1024, 1024, 24)
N_EXAMPLES = 8
TOLERANCE = 1e-4
SERVING = {"max_batch_size": 64, "max_queue_delay_us": 0, "queue_capacity": 1024,
           "instances": 2, "device": "cpu", "threads_per_instance": 1}


def build():
    torch.manual_seed(SEED)
    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(nn.Linear(SIZES[i], SIZES[i + 1]))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers).eval()


def export_onnx(module, example, path):
    try:
        torch.onnx.export(module, example, path, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13,
                          do_constant_folding=True)
        return "torch.onnx.export"
    except Exception as e:  # the Debian build may lack the exporter's dependencies
        print(f"torch.onnx.export failed ({e}); building the graph from the weights")
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits, prev = [], [], "x"
    linears = [m for m in module if isinstance(m, nn.Linear)]
    for i, lin in enumerate(linears):
        w = lin.weight.detach().numpy().T.astype(np.float32)
        b = lin.bias.detach().numpy().astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes += [helper.make_node("MatMul", [prev, f"w{i}"], [f"m{i}"]),
                  helper.make_node("Add", [f"m{i}", f"b{i}"],
                                   ["y" if i == len(linears) - 1 else f"a{i}"])]
        prev = f"a{i}"
        if i < len(linears) - 1:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"r{i}"]))
            prev = f"r{i}"
    graph = helper.make_graph(
        nodes, "mlp_heavy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", SIZES[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", SIZES[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return "onnx.helper (MatMul/Add/Relu)"


def manifest(name, fmt, artifact, platform, how):
    return {
        "name": name, "version": "1.0.0", "format": fmt, "artifact": artifact,
        "platform": platform,
        "signature": {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, SIZES[0]]}],
                      "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, SIZES[-1]]}]},
        "serving": SERVING, "params": {"seed": SEED, "sizes": list(SIZES)},
        "description": f"Benchmark MLP {'-'.join(map(str, SIZES))} (ReLU), seeded weights, "
                       f"{how}; examples/mlp_heavy/make_mlp.py.",
    }


def main():
    out_dir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
    torch.set_num_threads(1)
    module = build()
    gen = torch.Generator().manual_seed(SEED + 1)
    x = (torch.rand(N_EXAMPLES, SIZES[0], generator=gen) * 60.0 + 30.0)
    with torch.no_grad():
        y = module(x)
        traced = torch.jit.trace(module, x)
    for sub in ("torchscript", "onnx"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    pt = os.path.join(out_dir, "torchscript", "model.pt")
    traced.save(pt)
    how = export_onnx(module, x, os.path.join(out_dir, "onnx", "model.onnx"))
    with torch.no_grad():
        again = torch.jit.load(pt)(x)
    assert float((again - y).abs().max()) == 0.0
    examples = {"tolerance": TOLERANCE,
                "inputs": [[float(v) for v in row] for row in x.numpy()],
                "outputs": [[float(v) for v in row] for row in y.numpy()]}
    for sub, fmt, artifact, platform in (
            ("torchscript", "torchscript", "model.pt", "pytorch_libtorch"),
            ("onnx", "onnx", "model.onnx", "onnxruntime_onnx")):
        name = "mlp_heavy_ts" if fmt == "torchscript" else "mlp_heavy_onnx"
        with open(os.path.join(HERE, sub, "model.json"), "w") as f:
            f.write(json.dumps(manifest(name, fmt, artifact, platform, how), indent=2) + "\n")
        with open(os.path.join(HERE, sub, "examples.json"), "w") as f:
            f.write(json.dumps(examples, separators=(",", ":")) + "\n")
        for fname in (artifact,):
            p = os.path.join(out_dir, sub, fname)
            print(f"wrote {p} ({os.path.getsize(p)} bytes)")
    print(f"onnx graph by {how}")


if __name__ == "__main__":
    main()
