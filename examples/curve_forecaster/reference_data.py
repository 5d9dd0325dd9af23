#!/usr/bin/python3
"""Write curve_forecaster's drift reference and drift demo inputs next to this script.

  train_sample.jsonl   1000 rows of train.py's TRAINING split (the first 80% of days, what the
                       model was fitted on), drawn with a fixed seed, in holdout.jsonl's format
                       ({"input": today's curve, "label": tomorrow's}); `bin/mlserve demo` adds
                       it as dataset `train_sample` and registers the demo versions with
                       `--reference train_sample` (their drift reference profile).
  live_curves.jsonl    500 request lines for `bin/loadtest --input-file`
                       ({"model": "curve_forecaster", "input": [24 numbers]}): other days of
                       the training split than the sample's, drawn with another seed, i.e. the
                       training distribution (no drift expected).
  shifted_curves.jsonl the same 500 curves shifted up by SHIFT_STD standard deviations of each
                       tenor's training values (drift expected on every input feature).

The same generator and seed as train.py for the training split, so every file is reproducible.
Run with:  /usr/bin/python3 examples/curve_forecaster/reference_data.py
"""
import json
import os

import numpy as np

import train

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = "curve_forecaster"
SAMPLE_ROWS = 1000
SAMPLE_SEED = 7
LIVE_SEED = 20261129
LIVE_ROWS = 500
SHIFT_STD = 3.0


def values(row):
    return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="-")
                           for v in row) + "]"


def main():
    rng = np.random.default_rng(train.SEED)
    curves = train.generate_curves(train.DAYS, train.TENORS, rng).astype(np.float32)
    x_all, y_all = curves[:-1], curves[1:]
    n_train = int(round(len(x_all) * (1.0 - train.VAL_FRACTION)))
    x_tr, y_tr = x_all[:n_train], y_all[:n_train]

    pick = np.sort(np.random.default_rng(SAMPLE_SEED).choice(n_train, SAMPLE_ROWS,
                                                             replace=False))
    sample = os.path.join(HERE, "train_sample.jsonl")
    with open(sample, "w") as f:
        for i in pick:
            f.write('{"input": ' + values(x_tr[i]) + ', "label": ' + values(y_tr[i]) + "}\n")
    with open(sample) as f:
        back = np.array([json.loads(line)["input"] for line in f], dtype=np.float32)
    assert np.array_equal(back, x_tr[pick])

    std = x_tr.std(axis=0)
    # other training days than the sample's, drawn with another seed: the training
    # distribution itself. (A new series from another seed is not: its slow level process sits
    # in other regimes for hundreds of days, which PSI rightly reports as drift.)
    rest = np.setdiff1d(np.arange(n_train), pick)
    live = x_tr[np.sort(np.random.default_rng(LIVE_SEED).choice(rest, LIVE_ROWS,
                                                                replace=False))]
    shifted = (live + SHIFT_STD * std).astype(np.float32)
    for name, rows in (("live_curves.jsonl", live), ("shifted_curves.jsonl", shifted)):
        with open(os.path.join(HERE, name), "w") as f:
            for row in rows:
                f.write('{"model": "' + MODEL + '", "input": ' + values(row) + "}\n")

    print(f"wrote train_sample.jsonl ({SAMPLE_ROWS} of {n_train} training rows),"
          f" live_curves.jsonl and shifted_curves.jsonl ({LIVE_ROWS} lines each; shift"
          f" {SHIFT_STD} std: {np.round(SHIFT_STD * std.mean(), 2)} on average)")
    print("training mean of tenor 0: %.2f; live: %.2f; shifted: %.2f"
          % (x_tr[:, 0].mean(), live[:, 0].mean(), shifted[:, 0].mean()))


if __name__ == "__main__":
    main()
