package io.mlserve.server.experiment;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.Tensors;
import io.mlserve.server.tensor.Tensor;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Turns feedback for a prediction into outcomes, against the prediction's first output:
 *
 * <ul>
 *   <li>a numeric label with as many values as the output → per request the mean absolute and
 *       the mean squared error over the values (MAE, and RMSE's accumulator);
 *   <li>a class label, one integer in [0, k) per row where the output has k &gt; 1 values per
 *       row → per row 1 when the row's argmax is the label, else 0 (accuracy);
 *   <li>a reward → itself.
 * </ul>
 *
 * Anything else is refused with {@link InferenceException.Kind#INVALID_ARGUMENT}, naming what
 * the prediction takes. Stateless; thread-safe.
 */
final class FeedbackJoin {
  private FeedbackJoin() {}

  /** The outcome values to accumulate: per metric, one value per request (or per row). */
  record Outcomes(Map<Metric, double[]> values, Map<Metric, Double> perRequest) {}

  /** Checks that exactly one of label and reward is given, and that it is finite. */
  static void checkInput(double[] label, Double reward) {
    if (label != null && reward != null) {
      throw InferenceException.invalid("give either a label or a reward, not both");
    }
    if (label == null && reward == null) {
      throw InferenceException.invalid(
          "give a label (an array of numbers) or a reward (a number)");
    }
    if (reward != null && !Double.isFinite(reward)) {
      throw InferenceException.invalid("reward must be a finite number, got " + reward);
    }
    if (label != null) {
      if (label.length == 0) {
        throw InferenceException.invalid("label is empty");
      }
      for (int i = 0; i < label.length; i++) {
        if (!Double.isFinite(label[i])) {
          throw InferenceException.invalid(
              "label value " + i + " is not a finite number: " + label[i]);
        }
      }
    }
  }

  /** The outcomes of {@code label} or {@code reward} (checked by {@link #checkInput}) for p. */
  static Outcomes join(Prediction p, double[] label, Double reward) {
    Map<Metric, double[]> values = new EnumMap<>(Metric.class);
    Map<Metric, Double> perRequest = new EnumMap<>(Metric.class);
    if (reward != null) {
      values.put(Metric.REWARD, new double[] {reward});
      perRequest.put(Metric.REWARD, reward);
      return new Outcomes(values, perRequest);
    }
    if (p.outputs.length == 0) {
      throw InferenceException.invalid("the prediction of request '" + p.id
          + "' has no output to compare a label with");
    }
    Tensor out = p.outputs[0];
    if (!out.dataType().isFixedSize()) {
      throw InferenceException.invalid("the prediction of request '" + p.id + "' (output '"
          + out.name() + "') holds BYTES (strings); feedback labels are compared with a numeric"
          + " output");
    }
    long elements = Tensor.elementCount(out.shape());
    long rows = out.rows();
    long perRow = rows == 0 ? 0 : elements / rows;
    if (elements > 0 && label.length == elements) {
      double abs = 0;
      double sq = 0;
      for (int i = 0; i < label.length; i++) {
        double e = label[i] - Tensors.elementAsDouble(out, i);
        abs += Math.abs(e);
        sq += e * e;
      }
      double mae = abs / label.length;
      double mse = sq / label.length;
      values.put(Metric.MAE, new double[] {mae});
      values.put(Metric.RMSE, new double[] {mse});
      perRequest.put(Metric.MAE, mae);
      perRequest.put(Metric.RMSE, Math.sqrt(mse));
      return new Outcomes(values, perRequest);
    }
    if (perRow > 1 && label.length == rows) {
      double[] correct = new double[label.length];
      double sum = 0;
      for (int r = 0; r < label.length; r++) {
        double c = label[r];
        if (c != Math.rint(c) || c < 0 || c >= perRow) {
          throw InferenceException.invalid("class label " + r + " is " + text(c)
              + ": a class label is an integer in [0, " + perRow + ") for an output with "
              + perRow + " values per row");
        }
        correct[r] = argmax(out, r * perRow, perRow) == (long) c ? 1 : 0;
        sum += correct[r];
      }
      values.put(Metric.ACCURACY, correct);
      perRequest.put(Metric.ACCURACY, sum / label.length);
      return new Outcomes(values, perRequest);
    }
    throw InferenceException.invalid("label has " + label.length + " value"
        + (label.length == 1 ? "" : "s") + "; the prediction of request '" + p.id
        + "' (output '" + out.name() + "', shape " + Arrays.toString(out.shape()) + ") takes "
        + elements + " number" + (elements == 1 ? "" : "s") + " (one per output value)"
        + (perRow > 1 ? " or " + rows + " class ind" + (rows == 1 ? "ex" : "ices")
            + " (one per row, each in [0, " + perRow + "))" : ""));
  }

  private static long argmax(Tensor t, long from, long count) {
    long best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (long i = 0; i < count; i++) {
      double v = Tensors.elementAsDouble(t, (int) (from + i));
      if (v > max) {
        max = v;
        best = i;
      }
    }
    return best;
  }

  /** A number as people write it: 3 rather than 3.0. */
  private static String text(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
        : Double.toString(d);
  }
}
