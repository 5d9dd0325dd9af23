package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Regression metrics per output value, streaming: MAE, RMSE, MAPE, R² and the counts behind
 * them. Sums of absolute, squared and relative errors are compensated ({@link CompensatedSums});
 * the labels' mean and sum of squared deviations (SS_tot) are kept by Welford's update and
 * merged by Chan's formula, so R² needs one pass and no stored rows.
 *
 * <p>Definitions, per output j over n rows, e = prediction − label: MAE = Σ|e|/n,
 * RMSE = √(Σe²/n), MAPE = Σ|e|/|label| / (rows with label ≠ 0) as a fraction (rows whose label
 * is 0 are excluded and counted in {@code mape_zero_labels}), R² = 1 − Σe²/SS_tot (undefined,
 * null, when the labels are constant). The overall values pool every output value: MAE, RMSE,
 * MAPE over all n × width values, R² the mean of the outputs' defined R² (scikit-learn's
 * uniform average). Not thread-safe.
 */
public final class RegressionAccumulator implements MetricAccumulator {
  private static final int ABS = 0;
  private static final int SQ = 1;
  private static final int APE = 2;

  private final int width;
  private final CompensatedSums[] sums;
  private final long[] apeRows;
  private final double[] mean;
  private final double[] m2;
  private long n;

  RegressionAccumulator(int width) {
    this.width = width;
    sums = new CompensatedSums[] {new CompensatedSums(width), new CompensatedSums(width),
        new CompensatedSums(width)};
    apeRows = new long[width];
    mean = new double[width];
    m2 = new double[width];
  }

  @Override
  public void add(long firstRow, int rows, double[] labels, double[] outputs) {
    if (labels.length != (long) rows * width || outputs.length != (long) rows * width) {
      throw new IllegalArgumentException(rows + " rows of " + width + " values need "
          + (long) rows * width + " labels and outputs, got " + labels.length + " and "
          + outputs.length);
    }
    CompensatedSums abs = sums[ABS];
    CompensatedSums sq = sums[SQ];
    CompensatedSums ape = sums[APE];
    for (int r = 0; r < rows; r++) {
      int base = r * width;
      double count = n + r + 1;
      for (int j = 0; j < width; j++) {
        double y = labels[base + j];
        double p = outputs[base + j];
        if (!Double.isFinite(y) || !Double.isFinite(p)) {
          throw notFinite(firstRow + r, j, y, p);
        }
        double e = p - y;
        double ae = Math.abs(e);
        abs.add(j, ae);
        sq.add(j, e * e);
        if (y != 0) {
          ape.add(j, ae / Math.abs(y));
          apeRows[j]++;
        }
        double d = y - mean[j];
        mean[j] += d / count;
        m2[j] += d * (y - mean[j]);
      }
    }
    n += rows;
  }

  private static IllegalArgumentException notFinite(long row, int j, double y, double p) {
    return new IllegalArgumentException("row " + row + ", value " + j + ": "
        + (Double.isFinite(y) ? "the output is " + p : "the label is " + y)
        + ", not a finite number");
  }

  @Override
  public void merge(MetricAccumulator other) {
    if (!(other instanceof RegressionAccumulator o) || o.width != width) {
      throw new IllegalArgumentException("can only merge a regression of the same width");
    }
    for (int k = 0; k < sums.length; k++) {
      sums[k].merge(o.sums[k]);
    }
    long total = n + o.n;
    for (int j = 0; j < width && total > 0; j++) {
      apeRows[j] += o.apeRows[j];
      double delta = o.mean[j] - mean[j];
      mean[j] += delta * o.n / total;
      m2[j] += o.m2[j] + delta * delta * ((double) n * o.n / total);
    }
    n = total;
  }

  @Override
  public MetricSet result() {
    List<MetricSet.OutputMetrics> outputs = new ArrayList<>(width);
    CompensatedSums pooled = new CompensatedSums(3);
    long pooledApeRows = 0;
    double r2Sum = 0;
    int r2Count = 0;
    for (int j = 0; j < width; j++) {
      double abs = sums[ABS].value(j);
      double sq = sums[SQ].value(j);
      double ape = sums[APE].value(j);
      pooled.add(ABS, abs);
      pooled.add(SQ, sq);
      pooled.add(APE, ape);
      pooledApeRows += apeRows[j];
      Double r2 = n > 0 && m2[j] > 0 ? 1 - sq / m2[j] : null;
      if (r2 != null) {
        r2Sum += r2;
        r2Count++;
      }
      outputs.add(new MetricSet.OutputMetrics(j, abs / n, Math.sqrt(sq / n),
          apeRows[j] > 0 ? ape / apeRows[j] : null, r2));
    }
    double values = (double) n * width;
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put(MetricSet.MAE, n > 0 ? pooled.value(ABS) / values : null);
    metrics.put(MetricSet.RMSE, n > 0 ? Math.sqrt(pooled.value(SQ) / values) : null);
    metrics.put(MetricSet.MAPE, pooledApeRows > 0 ? pooled.value(APE) / pooledApeRows : null);
    metrics.put(MetricSet.R2, r2Count > 0 ? r2Sum / r2Count : null);
    long zeroLabels = n * width - pooledApeRows;
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("values", n * width);
    counts.put("mape_zero_labels", zeroLabels);
    List<String> notes = new ArrayList<>();
    if (n == 0) {
      notes.add("no rows were scored");
    }
    if (zeroLabels > 0) {
      notes.add("MAPE excludes the " + zeroLabels + " label value(s) equal to 0");
    }
    if (n > 0 && r2Count < width) {
      notes.add("R² is undefined for " + (width - r2Count) + " output(s) whose labels are"
          + " constant" + (r2Count > 0 ? "; the overall R² averages the others" : ""));
    }
    return new MetricSet(TaskKind.REGRESSION, n, metrics, counts,
        n > 0 ? outputs : List.of(), notes);
  }
}
