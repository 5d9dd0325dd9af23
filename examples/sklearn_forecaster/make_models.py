#!/usr/bin/python3
"""Train the scikit-learn examples and export them as ONNX for mlserve.

From a synthetic hourly power price series (deterministic, seeded) each sample is the last 24
hourly prices ($/MWh, oldest first) and the target is the next hour. Trains, and writes one
version directory each (model.onnx, model.json manifest, examples.json golden pairs computed
by scikit-learn itself):

  linear/       Ridge regression, MatMul + Add, FP32 [N,24] -> FP32 price [N,1]
  linear_fp64/  the same Ridge model with FP64 input and output
  gbm/          GradientBoostingRegressor as ai.onnx.ml TreeEnsembleRegressor, FP32 -> FP32 [N,1]
  regime/       RandomForestClassifier of the next hour's regime (0 low, 1 normal, 2 spike) as
                TreeEnsembleClassifier: INT64 label [N] and FP32 probabilities [N,3] (no ZipMap)

Every graph passes onnx.checker, and a numpy reading of the graph's own attributes
(onnx_graphs.evaluate_*) must reproduce scikit-learn's outputs before anything is written.
Run with:  /usr/bin/python3 examples/sklearn_forecaster/make_models.py
"""

import json
import os
import sys

import numpy as np
from onnx import TensorProto
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import Ridge

sys.dont_write_bytecode = True  # no __pycache__ in the examples directory
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_graphs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261130
DAYS = 420
WINDOW = 24
N_EXAMPLES = 16
TOLERANCE = 1e-5
GBM = {"n_estimators": 120, "max_depth": 3, "learning_rate": 0.1, "subsample": 1.0}
FOREST = {"n_estimators": 40, "max_depth": 6, "min_samples_leaf": 5}
SERVING = {"max_batch_size": 64, "max_queue_delay_us": 0, "queue_capacity": 1024,
           "instances": 2, "device": "cpu", "threads_per_instance": 1}


def hourly_prices(days, rng):
    """float32 [days*24] prices: a mean-reverting daily level, a weekday/weekend daily shape
    (morning and evening peaks), AR(1) hourly noise and occasional evening spikes."""
    hours = np.arange(24)
    shape = (8.0 * np.exp(-((hours - 8.5) ** 2) / 4.0) + 14.0 * np.exp(-((hours - 19.0) ** 2) / 5.0)
             - 9.0 * np.exp(-((hours - 3.5) ** 2) / 6.0))
    level, noise = 55.0, 0.0
    out = np.empty(days * 24, dtype=np.float64)
    for d in range(days):
        level += 0.08 * (55.0 - level) + rng.normal(0.0, 2.5)
        weekend = d % 7 >= 5
        for h in range(24):
            noise = 0.7 * noise + rng.normal(0.0, 1.6)
            p = level + (0.55 if weekend else 1.0) * shape[h] + noise
            if 17 <= h <= 21 and rng.random() < 0.04:
                p += rng.exponential(35.0)
            out[d * 24 + h] = p
    return out.astype(np.float32)


def windows(series):
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], WINDOW)
    return np.ascontiguousarray(x, dtype=np.float32), series[WINDOW:].astype(np.float32)


def exact(v):
    """A float32 as the shortest decimal that reads back as that same float32 (via double)."""
    return float(np.float32(v))


def manifest(name, datatype, outputs, params, metrics, description):
    return {
        "name": name, "version": "1.0.0", "format": "onnx", "artifact": "model.onnx",
        "platform": "onnxruntime_onnx",
        "signature": {"inputs": [{"name": "prices", "datatype": datatype, "shape": [-1, WINDOW]}],
                      "outputs": outputs},
        "serving": SERVING, "params": params, "metrics": metrics, "description": description,
    }


def write_version(subdir, model, manifest_obj, examples):
    d = os.path.join(HERE, subdir)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    with open(os.path.join(d, "model.json"), "w") as f:
        f.write(json.dumps(manifest_obj, indent=2) + "\n")
    with open(os.path.join(d, "examples.json"), "w") as f:
        f.write(json.dumps(examples, separators=(",", ":")) + "\n")
    for name in ("model.onnx", "model.json", "examples.json"):
        print(f"wrote {subdir}/{name} ({os.path.getsize(os.path.join(d, name))} bytes)")


def check(what, got, want, tol):
    diff = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))
                        / np.maximum(1.0, np.abs(want.astype(np.float64)))))
    print(f"{what}: graph vs scikit-learn max relative diff {diff:.2e}")
    if not diff <= tol:
        raise SystemExit(f"{what}: the ONNX graph differs from scikit-learn by {diff}")


def mae(pred, y):
    return round(float(np.mean(np.abs(pred.astype(np.float64) - y))), 4)


def main():
    rng = np.random.default_rng(SEED)
    x, y = windows(hourly_prices(DAYS, rng))
    split = int(len(x) * 0.8)
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]
    pick = np.linspace(0, len(x_val) - 1, N_EXAMPLES).astype(int)
    ex = x_val[pick]
    ex_json = [[exact(v) for v in row] for row in ex]
    naive = mae(x_val[:, -1], y_val)
    data = {"seed": SEED, "days": DAYS, "window": WINDOW}

    # ---- Ridge: FP32 and FP64
    ridge = Ridge(alpha=1.0).fit(x_train.astype(np.float64), y_train.astype(np.float64))
    want = ridge.predict(ex.astype(np.float64)).reshape(-1, 1)
    metrics = {"val_mae": mae(ridge.predict(x_val.astype(np.float64)), y_val),
               "naive_val_mae": naive}
    for subdir, elem, dt in (("linear", TensorProto.FLOAT, "FP32"),
                             ("linear_fp64", TensorProto.DOUBLE, "FP64")):
        model = onnx_graphs.linear(ridge.coef_, ridge.intercept_, WINDOW, elem, "prices", "price")
        got = onnx_graphs.evaluate_linear(model, ex)
        tol = TOLERANCE if dt == "FP32" else 1e-9
        check(subdir, got, want, tol / 10)
        out = [[exact(v[0]) if dt == "FP32" else float(v[0])] for v in want]
        write_version(subdir, model, manifest(
            "price_linear" if dt == "FP32" else "price_linear_fp64", dt,
            [{"name": "price", "datatype": dt, "shape": [-1, 1]}], {**data, "alpha": 1.0}, metrics,
            f"Ridge regression of the next hour's price from the last 24 ({dt} MatMul+Add); "
            "examples/sklearn_forecaster/make_models.py."),
            {"tolerance": tol, "inputs": ex_json, "outputs": out})

    # ---- Gradient boosting
    gbm = GradientBoostingRegressor(random_state=SEED, **GBM).fit(x_train, y_train)
    model = onnx_graphs.gbm_regressor(gbm, WINDOW, "prices", "price")
    want = gbm.predict(ex).reshape(-1, 1)
    check("gbm", onnx_graphs.evaluate_regressor(model, ex), want, TOLERANCE / 10)
    check("gbm (validation split)", onnx_graphs.evaluate_regressor(model, x_val[::7]),
          gbm.predict(x_val[::7]).reshape(-1, 1), TOLERANCE / 10)
    write_version("gbm", model, manifest(
        "price_gbm", "FP32", [{"name": "price", "datatype": "FP32", "shape": [-1, 1]}],
        {**data, **GBM}, {"val_mae": mae(gbm.predict(x_val), y_val), "naive_val_mae": naive},
        "Gradient boosting (TreeEnsembleRegressor) of the next hour's price from the last 24; "
        "examples/sklearn_forecaster/make_models.py."),
        {"tolerance": TOLERANCE, "inputs": ex_json, "outputs": [[exact(v[0])] for v in want]})

    # ---- Regime classifier: 0 low, 1 normal, 2 spike (thresholds from training quantiles)
    low, high = (float(round(q)) for q in np.quantile(y_train, [0.2, 0.9]))
    regime = lambda v: np.digitize(v, [low, high]).astype(np.int64)  # noqa: E731
    forest = RandomForestClassifier(random_state=SEED, **FOREST).fit(x_train, regime(y_train))
    model = onnx_graphs.forest_classifier(forest, WINDOW, "prices", "label", "probabilities")
    # golden rows: clear winners only (a near tie could flip between float32 and float64 sums)
    proba_val = forest.predict_proba(x_val)
    top2 = np.sort(proba_val, axis=1)[:, -2:]
    clear = np.where(top2[:, 1] - top2[:, 0] > 1e-3)[0]
    by_class = [clear[forest.predict(x_val[clear]) == c] for c in forest.classes_]
    rows = np.unique(np.concatenate([c[np.linspace(0, len(c) - 1, 6).astype(int)]
                                     for c in by_class]))
    ex_c = x_val[rows]
    labels, proba = forest.predict(ex_c), forest.predict_proba(ex_c)
    got_labels, got_proba = onnx_graphs.evaluate_classifier(model, ex_c)
    if not np.array_equal(got_labels, labels):
        raise SystemExit("regime: labels differ from scikit-learn")
    check("regime probabilities", got_proba, proba, TOLERANCE / 10)
    accuracy = round(float(np.mean(forest.predict(x_val) == regime(y_val))), 4)
    write_version("regime", model, manifest(
        "price_regime", "FP32",
        [{"name": "label", "datatype": "INT64", "shape": [-1]},
         {"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]}],
        {**data, **FOREST, "low_below": low, "spike_above": high},
        {"val_accuracy": accuracy,
         "val_majority_accuracy": round(float(np.mean(regime(y_val) == 1)), 4)},
        f"Random forest (TreeEnsembleClassifier) of the next hour's regime: 0 low (< {low:g}), "
        f"1 normal, 2 spike (>= {high:g} $/MWh); examples/sklearn_forecaster/make_models.py."),
        {"tolerance": TOLERANCE, "inputs": {"prices": [[exact(v) for v in r] for r in ex_c]},
         "outputs": {"label": [int(v) for v in labels],
                     "probabilities": [[exact(p) for p in r] for r in proba]}})


if __name__ == "__main__":
    main()
