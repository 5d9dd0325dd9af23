#!/usr/bin/python3
"""Train the curve_forecaster demo model and export it for mlserve.

Generates synthetic daily energy forward curves (24 monthly tenors), trains a small
MLP (24 -> 64 -> 24, residual "today + delta") to predict tomorrow's curve from today's,
and writes, next to this script:

  model.pt       TorchScript (torch.jit.trace), float32 [N,24] raw prices -> [N,24] raw prices
  examples.json  16 validation rows and the traced model's outputs for them (golden pairs)
  model.json     the mlserve manifest (signature, serving config, params, metrics)

Deterministic: fixed seeds, one CPU thread, deterministic algorithms.
Run with:  /usr/bin/python3 examples/curve_forecaster/train.py
"""

import json
import math
import os
import random
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- parameters
SEED = 20240601
DAYS = 6000
TENORS = 24
HIDDEN = 64
EPOCHS = 150
LR = 2e-3
BATCH = 128
VAL_FRACTION = 0.2
N_EXAMPLES = 16
TOLERANCE = 1e-5

DAYS_PER_MONTH = 365.25 / 12.0
START_DAY_OF_YEAR = 0.0  # day 0 of the series is 1 January


def set_determinism(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- synthetic data
def seasonal_premium(day_of_year):
    """Premium of a delivery month by its calendar position: a large winter peak (mid-January)
    and a smaller summer peak (mid-July), troughs in spring and autumn. $/MWh."""
    phase = 2.0 * math.pi * (day_of_year - 15.0) / 365.25
    return 6.0 * np.cos(phase) + 2.5 * np.cos(2.0 * phase)


def generate_curves(days, tenors, rng):
    """Returns a float64 array [days, tenors] of forward prices.

    curve[t, k] = level_t + slope_t * g(k) + season(delivery date of tenor k at day t) + noise

    * level_t: mean-reverting random walk (Ornstein-Uhlenbeck around 60) with occasional jumps
      (level shifts) that then decay back;
    * slope_t: mean-reverts to a regime target, +9 in contango (far tenors dearer) or -7 in
      backwardation; the regime switches occasionally (about once a year);
    * g(k) = 1 - exp(-(k+1)/6): the slope term saturates along the curve;
    * seasonality: tenor k delivers around day t + (k + 1) * 30.44 (constant-maturity monthly
      tenors), so the winter/summer pattern rolls one tenor per month as the days advance;
    * front tenors move more with the level than back ones (Samuelson effect);
    * noise: independent per tenor and day (bid/ask, illiquid marks).
    """
    mu, kappa, sigma = 60.0, 0.02, 0.9
    jump_prob, jump_scale = 0.008, 7.0
    slope_targets = (9.0, -7.0)  # contango, backwardation
    switch_prob = 1.0 / 300.0
    slope_kappa, slope_sigma = 0.04, 0.35
    noise_sigma = 0.6

    k = np.arange(tenors, dtype=np.float64)
    g = 1.0 - np.exp(-(k + 1.0) / 6.0)
    samuelson = 0.5 + 0.5 * np.exp(-k / 8.0)  # how much of the level deviation each tenor carries

    level = mu
    regime = 0
    slope = slope_targets[regime]
    curves = np.empty((days, tenors), dtype=np.float64)
    for t in range(days):
        # state update
        if t > 0:
            jump = rng.normal(0.0, jump_scale) if rng.random() < jump_prob else 0.0
            level = level + kappa * (mu - level) + sigma * rng.normal() + jump
            if rng.random() < switch_prob:
                regime = 1 - regime
            slope = slope + slope_kappa * (slope_targets[regime] - slope) + slope_sigma * rng.normal()
        delivery_doy = (START_DAY_OF_YEAR + t + (k + 1.0) * DAYS_PER_MONTH) % 365.25
        curves[t] = (mu + (level - mu) * samuelson
                     + slope * g
                     + seasonal_premium(delivery_doy)
                     + noise_sigma * rng.normal(size=tenors))
    return curves


# ---------------------------------------------------------------- model
class CurveForecaster(nn.Module):
    """Raw prices in, raw prices out: forecast = today + (delta_mean + delta_std * mlp(z)),
    z = (today - in_mean) / in_std. The normalisation constants are buffers, so they travel
    inside the TorchScript file."""

    def __init__(self, tenors, hidden, in_mean, in_std, delta_mean, delta_std):
        super().__init__()
        self.register_buffer("in_mean", torch.as_tensor(in_mean, dtype=torch.float32))
        self.register_buffer("in_std", torch.as_tensor(in_std, dtype=torch.float32))
        self.register_buffer("delta_mean", torch.as_tensor(delta_mean, dtype=torch.float32))
        self.register_buffer("delta_std", torch.as_tensor(delta_std, dtype=torch.float32))
        self.mlp = nn.Sequential(nn.Linear(tenors, hidden), nn.ReLU(), nn.Linear(hidden, tenors))

    def normalised_delta(self, curve):
        return self.mlp((curve - self.in_mean) / self.in_std)

    def forward(self, curve):
        return curve + self.delta_mean + self.delta_std * self.normalised_delta(curve)


def mse_mae(pred, target):
    err = pred.astype(np.float64) - target.astype(np.float64)
    return float(np.mean(err ** 2)), float(np.mean(np.abs(err)))


def exact(x):
    """The float32 value as the shortest decimal that reads back as the same double; that
    double is exactly the float32, so parsing it as a double and narrowing is lossless."""
    return float(np.float32(x))


def manifest_json(manifest):
    """The manifest, two-space indented, with each tensor spec and the serving block on one line."""
    def one_line(v):
        return json.dumps(v, separators=(", ", ": "))

    lines = ["{"]
    items = list(manifest.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if key == "signature":
            lines.append('  "signature": {')
            for j, side in enumerate(("inputs", "outputs")):
                specs = ", ".join(one_line(spec) for spec in value[side])
                lines.append(f'    "{side}": [{specs}]' + ("," if j == 0 else ""))
            lines.append("  }" + comma)
        else:
            lines.append(f"  {json.dumps(key)}: {one_line(value)}{comma}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == manifest
    return text


def main():
    t0 = time.time()
    set_determinism(SEED)
    rng = np.random.default_rng(SEED)

    curves = generate_curves(DAYS, TENORS, rng).astype(np.float32)
    x_all, y_all = curves[:-1], curves[1:]  # today -> tomorrow
    n_pairs = len(x_all)
    n_train = int(round(n_pairs * (1.0 - VAL_FRACTION)))
    x_tr, y_tr = x_all[:n_train], y_all[:n_train]
    x_va, y_va = x_all[n_train:], y_all[n_train:]
    print(f"data: {DAYS} days x {TENORS} tenors, price range [{curves.min():.2f}, {curves.max():.2f}]; "
          f"train pairs {len(x_tr)}, validation pairs {len(x_va)} (last {VAL_FRACTION:.0%} by time)")

    # normalisation from the training split only
    d_tr = y_tr - x_tr
    in_mean, in_std = x_tr.mean(axis=0), x_tr.std(axis=0)
    delta_mean, delta_std = d_tr.mean(axis=0), d_tr.std(axis=0)

    model = CurveForecaster(TENORS, HIDDEN, in_mean, in_std, delta_mean, delta_std)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)

    xt = torch.from_numpy(x_tr)
    target_z = torch.from_numpy((d_tr - delta_mean) / delta_std)  # regress the normalised delta
    xv, yv = torch.from_numpy(x_va), torch.from_numpy(y_va)
    gen = torch.Generator().manual_seed(SEED)

    for epoch in range(1, EPOCHS + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            loss = torch.mean((model.normalised_delta(xt[idx]) - target_z[idx]) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        if epoch == 1 or epoch % 25 == 0 or epoch == EPOCHS:
            model.eval()
            with torch.no_grad():
                v_mse, _ = mse_mae(model(xv).numpy(), y_va)
            print(f"epoch {epoch:4d}  train loss (normalised) {total / len(xt):.4f}  val mse {v_mse:.4f}")

    model.eval()
    with torch.no_grad():
        pred_va = model(xv).numpy()
    val_mse, val_mae = mse_mae(pred_va, y_va)
    base_mse, base_mae = mse_mae(x_va, y_va)  # naive: tomorrow = today
    print()
    print(f"validation  model     MSE {val_mse:.4f}  MAE {val_mae:.4f}")
    print(f"validation  baseline  MSE {base_mse:.4f}  MAE {base_mae:.4f}   (tomorrow = today)")
    print(f"improvement  MSE x{base_mse / val_mse:.3f} ({1 - val_mse / base_mse:.1%} lower)  "
          f"MAE x{base_mae / val_mae:.3f} ({1 - val_mae / base_mae:.1%} lower)")
    if not (val_mse < base_mse and val_mae < base_mae):
        raise SystemExit("model does not beat the naive baseline")

    # ------------------------------------------------------------ export
    model_path = os.path.join(HERE, "model.pt")
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.from_numpy(x_va[:8].copy()))
    traced.save(model_path)

    loaded = torch.jit.load(model_path)
    loaded.eval()
    with torch.no_grad():
        for n in (1, 64, 3):
            batch = torch.from_numpy(x_va[100:100 + n].copy())
            got, want = loaded(batch), model(batch)
            assert got.shape == (n, TENORS), got.shape
            diff = float((got - want).abs().max())
            assert diff <= 1e-5, f"traced model differs from eager at N={n}: {diff}"
            print(f"traced model, N={n:2d}: output {tuple(got.shape)}, max |traced - eager| = {diff:.2e}")

    # ------------------------------------------------------------ golden examples
    ex_idx = np.linspace(0, len(x_va) - 1, N_EXAMPLES).round().astype(int)
    ex_in = x_va[ex_idx].copy()
    with torch.no_grad():
        ex_out = loaded(torch.from_numpy(ex_in)).numpy()
    assert np.isfinite(ex_in).all() and np.isfinite(ex_out).all()
    examples = {
        "tolerance": TOLERANCE,
        "inputs": [[exact(v) for v in row] for row in ex_in],
        "outputs": [[exact(v) for v in row] for row in ex_out],
    }
    examples_path = os.path.join(HERE, "examples.json")
    with open(examples_path, "w") as f:
        json.dump(examples, f, separators=(",", ":"))
        f.write("\n")

    # read back: the JSON must reproduce the float32 values exactly, and the model its outputs
    with open(examples_path) as f:
        back = json.load(f)
    back_in = np.asarray(back["inputs"], dtype=np.float32)
    back_out = np.asarray(back["outputs"], dtype=np.float32)
    assert np.array_equal(back_in, ex_in) and np.array_equal(back_out, ex_out)
    with torch.no_grad():
        again = torch.jit.load(model_path)(torch.from_numpy(back_in)).numpy()
    print(f"examples.json: {N_EXAMPLES} rows; reloaded model.pt max |diff| = "
          f"{float(np.abs(again - back_out).max()):.2e}")

    # ------------------------------------------------------------ manifest
    manifest = {
        "name": "curve_forecaster",
        "version": "1.0.0",
        "format": "torchscript",
        "artifact": "model.pt",
        "platform": "pytorch_libtorch",
        "signature": {
            "inputs": [{"name": "curve", "datatype": "FP32", "shape": [-1, TENORS]}],
            "outputs": [{"name": "forecast", "datatype": "FP32", "shape": [-1, TENORS]}],
        },
        "serving": {"max_batch_size": 64, "max_queue_delay_us": 0, "queue_capacity": 1024,
                    "instances": 2, "device": "cpu", "threads_per_instance": 1},
        "params": {"hidden": HIDDEN, "epochs": EPOCHS, "lr": LR, "seed": SEED, "days": DAYS},
        "metrics": {"val_mse": round(val_mse, 6), "val_mae": round(val_mae, 6),
                    "baseline_val_mse": round(base_mse, 6), "baseline_val_mae": round(base_mae, 6)},
        "description": "MLP forecasting tomorrow's 24-tenor forward curve from today's; "
                       "trained on synthetic curves by examples/curve_forecaster/train.py.",
    }
    with open(os.path.join(HERE, "model.json"), "w") as f:
        f.write(manifest_json(manifest))

    for name in ("model.pt", "examples.json", "model.json"):
        print(f"wrote {os.path.join(HERE, name)} ({os.path.getsize(os.path.join(HERE, name))} bytes)")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
