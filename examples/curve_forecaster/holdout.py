#!/usr/bin/python3
"""Write the curve_forecaster held-out evaluation dataset, holdout.jsonl, next to this script.

The rows are train.py's validation split (the last 20% of its days by time, which the model
never trained on): input `curve` = today's 24-tenor curve, label = tomorrow's curve, as float32
values printed in their shortest exact form. The same seed and generator as train.py, so the
file is reproducible; `bin/mlserve demo` registers it as dataset `holdout`.
Run with:  /usr/bin/python3 examples/curve_forecaster/holdout.py
"""
import json
import os

import numpy as np

import train

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.default_rng(train.SEED)
    curves = train.generate_curves(train.DAYS, train.TENORS, rng).astype(np.float32)
    x_all, y_all = curves[:-1], curves[1:]
    n_train = int(round(len(x_all) * (1.0 - train.VAL_FRACTION)))
    x_va, y_va = x_all[n_train:], y_all[n_train:]

    def values(row):
        return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="-")
                               for v in row) + "]"

    out = os.path.join(HERE, "holdout.jsonl")
    with open(out, "w") as f:
        for x, y in zip(x_va, y_va):
            f.write('{"input": ' + values(x) + ', "label": ' + values(y) + "}\n")
    # read back: every value is the float32 the split holds
    with open(out) as f:
        back = [json.loads(line) for line in f]
    assert np.array_equal(np.array([r["input"] for r in back], dtype=np.float32), x_va)
    assert np.array_equal(np.array([r["label"] for r in back], dtype=np.float32), y_va)
    print(f"wrote {out}: {len(x_va)} rows (validation split of {len(x_all)} day pairs)")


if __name__ == "__main__":
    main()
