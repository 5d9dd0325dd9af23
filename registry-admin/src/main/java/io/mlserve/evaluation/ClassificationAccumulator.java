package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics, streaming: accuracy, macro precision/recall/F1 and log-loss. The label
 * is one class index per row; the predicted class is the index of the row's largest output (the
 * lowest index on a tie), or the output itself when the model answers one value per row (which
 * must then be a class index).
 *
 * <p>Macro averages run over every class seen in the labels or the predictions, each counting
 * once: a class that is never predicted has precision 0, a class predicted but absent from the
 * labels has recall 0, and F1 is 0 where precision and recall are both 0 (scikit-learn's
 * {@code zero_division=0}). Log-loss is the mean of −ln p(label), p clipped to
 * [1e-15, 1 − 1e-15], and is computed only while every output row is a probability
 * distribution (values in [0, 1], summing to 1 within 1e-3); otherwise it is null and a note
 * names the first row that is not. Memory is three counters per class, classes capped at a
 * bound (10,000 by default) beyond which a clear error is raised. Not thread-safe.
 */
public final class ClassificationAccumulator implements MetricAccumulator {
  static final double EPS = 1e-15;
  static final double SUM_TOLERANCE = 1e-3;
  private static final double RANGE_TOLERANCE = 1e-6;

  private final int width;
  private final int maxClasses;
  private long[] truePositives = new long[0];
  private long[] predicted = new long[0];
  private long[] actual = new long[0];
  private long n;
  private long correct;
  private final CompensatedSums logLoss = new CompensatedSums(1);
  private String logLossProblem;

  ClassificationAccumulator(int width, int maxClasses) {
    if (maxClasses < 2) {
      throw new IllegalArgumentException("a classification needs room for 2 classes at least");
    }
    this.width = width;
    this.maxClasses = maxClasses;
    if (width == 1) {
      logLossProblem = "log-loss is not computed: the model answers a class index per row,"
          + " not probabilities";
    }
  }

  @Override
  public void add(long firstRow, int rows, double[] labels, double[] outputs) {
    if (labels.length != rows || outputs.length != (long) rows * width) {
      throw new IllegalArgumentException(rows + " rows need " + rows + " labels and "
          + (long) rows * width + " outputs, got " + labels.length + " and " + outputs.length);
    }
    for (int r = 0; r < rows; r++) {
      long row = firstRow + r;
      int label = classIndex(labels[r], row, "label");
      int base = r * width;
      int pred = width == 1 ? classIndex(outputs[base], row, "output") : argmax(outputs, base,
          row);
      ensureCapacity(Math.max(label, pred) + 1);
      actual[label]++;
      predicted[pred]++;
      if (label == pred) {
        truePositives[label]++;
        correct++;
      }
      if (logLossProblem == null) {
        addLogLoss(outputs, base, label, row);
      }
    }
    n += rows;
  }

  private int classIndex(double v, long row, String what) {
    if (!(v >= 0) || v != Math.rint(v)) {
      throw new IllegalArgumentException("row " + row + ": the " + what + " " + v
          + " is not a class index (a non-negative integer)"
          + (what.equals("output") ? "; a model with one output value must answer the class"
          + " index (evaluate it as a regression otherwise)" : ""));
    }
    if (v >= maxClasses) {
      throw new IllegalArgumentException("row " + row + ": class " + (long) v + " is beyond"
          + " the limit of " + maxClasses + " classes");
    }
    return (int) v;
  }

  private int argmax(double[] outputs, int base, long row) {
    for (int j = 0; j < width; j++) {
      if (Double.isNaN(outputs[base + j])) {
        throw new IllegalArgumentException("row " + row + ", value " + j + ": the output is"
            + " NaN");
      }
    }
    int best = predictedClass(outputs, base, width);
    if (best >= maxClasses) {
      throw new IllegalArgumentException("row " + row + ": class " + best + " is beyond the"
          + " limit of " + maxClasses + " classes");
    }
    return best;
  }

  /**
   * The class a row of outputs predicts (as {@link #add} scores it): the index of the largest
   * value, or the value itself for one-value outputs. The row must already have been scored.
   */
  static int predictedClass(double[] outputs, int base, int width) {
    if (width == 1) {
      return (int) outputs[base];
    }
    int best = 0;
    for (int j = 1; j < width; j++) {
      if (outputs[base + j] > outputs[base + best]) {
        best = j;
      }
    }
    return best;
  }

  private void addLogLoss(double[] outputs, int base, int label, long row) {
    double sum = 0;
    for (int j = 0; j < width; j++) {
      double v = outputs[base + j];
      if (v < -RANGE_TOLERANCE || v > 1 + RANGE_TOLERANCE) {
        logLossProblem = "log-loss is not computed: the outputs are not probabilities (row "
            + row + ", value " + j + " is " + v + ", outside [0, 1])";
        return;
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      logLossProblem = "log-loss is not computed: the outputs are not probabilities (row "
          + row + " sums to " + sum + ", not 1)";
      return;
    }
    double p = label < width ? outputs[base + label] : 0;
    logLoss.add(0, -Math.log(Math.min(Math.max(p, EPS), 1 - EPS)));
  }

  private void ensureCapacity(int classes) {
    if (classes > actual.length) {
      int size = Math.min(maxClasses, Math.max(classes, Math.max(16, actual.length * 2)));
      truePositives = Arrays.copyOf(truePositives, size);
      predicted = Arrays.copyOf(predicted, size);
      actual = Arrays.copyOf(actual, size);
    }
  }

  @Override
  public void merge(MetricAccumulator other) {
    if (!(other instanceof ClassificationAccumulator o) || o.width != width) {
      throw new IllegalArgumentException("can only merge a classification of the same width");
    }
    ensureCapacity(o.actual.length);
    for (int c = 0; c < o.actual.length; c++) {
      truePositives[c] += o.truePositives[c];
      predicted[c] += o.predicted[c];
      actual[c] += o.actual[c];
    }
    n += o.n;
    correct += o.correct;
    logLoss.merge(o.logLoss);
    if (logLossProblem == null) {
      logLossProblem = o.logLossProblem;
    }
  }

  @Override
  public MetricSet result() {
    int classes = 0;
    int neverPredicted = 0;
    int neverLabelled = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    for (int c = 0; c < actual.length; c++) {
      if (actual[c] == 0 && predicted[c] == 0) {
        continue;
      }
      classes++;
      double p = predicted[c] == 0 ? 0 : (double) truePositives[c] / predicted[c];
      double r = actual[c] == 0 ? 0 : (double) truePositives[c] / actual[c];
      neverPredicted += predicted[c] == 0 ? 1 : 0;
      neverLabelled += actual[c] == 0 ? 1 : 0;
      precision += p;
      recall += r;
      f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put(MetricSet.ACCURACY, n > 0 ? (double) correct / n : null);
    metrics.put(MetricSet.PRECISION, classes > 0 ? precision / classes : null);
    metrics.put(MetricSet.RECALL, classes > 0 ? recall / classes : null);
    metrics.put(MetricSet.F1, classes > 0 ? f1 / classes : null);
    metrics.put(MetricSet.LOG_LOSS, logLossProblem == null && n > 0 ? logLoss.value(0) / n
        : null);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("classes", (long) classes);
    counts.put("correct", correct);
    List<String> notes = new ArrayList<>();
    if (n == 0) {
      notes.add("no rows were scored");
    }
    if (neverPredicted > 0) {
      notes.add(neverPredicted + " class(es) seen in the labels were never predicted; their"
          + " precision counts as 0 in the macro average");
    }
    if (neverLabelled > 0) {
      notes.add(neverLabelled + " class(es) predicted but absent from the labels; their recall"
          + " counts as 0 in the macro average");
    }
    if (logLossProblem != null && n > 0) {
      notes.add(logLossProblem);
    }
    return new MetricSet(TaskKind.CLASSIFICATION, n, metrics, counts, List.of(), notes);
  }
}
