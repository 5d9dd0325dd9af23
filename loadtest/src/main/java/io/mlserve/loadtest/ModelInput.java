package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one model of the mix receives: its input tensor's name and per-request shape, and the
 * rows of FP32 values requests are built from (each row fills one item of a batch).
 *
 * @param model model name
 * @param weight share of the traffic, relative to the other models' weights
 * @param inputName input tensor name
 * @param features values per row (the product of the non-batch dimensions)
 * @param rows distinct rows; requests cycle through them
 */
record ModelInput(String model, int weight, String inputName, int features, List<float[]> rows) {
  ModelInput {
    requireNonNull(model, "model");
    requireNonNull(inputName, "inputName");
    rows = List.copyOf(requireNonNull(rows, "rows"));
    if (weight < 1) {
      throw new IllegalArgumentException("weight of " + model + " must be >= 1, got " + weight);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no input rows for " + model);
    }
    for (float[] row : rows) {
      if (row.length != features) {
        throw new IllegalArgumentException("model " + model + " takes " + features
            + " values per row, a row has " + row.length);
      }
    }
  }
}
