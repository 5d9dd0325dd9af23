#!/usr/bin/python3
"""Writes the .npz test datasets of io.mlserve.dataset (committed; rerun to regenerate).

Model shapes they are read against: single input 'x' FP32 [-1, 4]; two inputs 'a' FP32 [-1, 3]
and 'b' INT64 [-1, 2].
Run with: /usr/bin/python3 make_npz.py
"""
import numpy as np

x = (np.arange(20, dtype=np.float32) / 4).reshape(5, 4)
y = np.array([0.5, 1.5, 2.5, 3.5, 4.5])
np.savez("single.npz", input=x, label=y)                      # generic names, same dtype
np.savez_compressed("single_compressed.npz", x=x.astype(np.float64), label=y)  # by input name
a = np.arange(12, dtype=np.float32).reshape(4, 3)
b = np.arange(8, dtype=np.int32).reshape(4, 2)
np.savez("multi.npz", a=a, b=b, label=np.array([0, 1, 2, 1], dtype=np.int64))
np.savez("fortran.npz", input=np.asfortranarray(x), label=y)
np.savez("bigendian.npz", input=x.astype(">f4"), label=y)
np.savez("nan_label.npz", input=x, label=np.array([0.5, 1.5, np.nan, 3.5, 4.5]))
np.savez("rows_differ.npz", input=x, label=y[:4])
np.savez("wrong_width.npz", input=np.zeros((5, 5), dtype=np.float32), label=y)
np.savez("fraction_for_int.npz", a=a, b=b.astype(np.float64) + 0.5, label=np.zeros(4))
np.savez("extra_array.npz", input=x, label=y, weights=y)
