package io.mlserve.drift;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The feature names a drift profile uses for a model signature's tensors, in signature order: a
 * tensor whose rows hold one value is one feature named as the tensor ({@code price}); one whose
 * rows hold several is one feature per flat (row-major) element, {@code curve[0]} ..
 * {@code curve[23]}. A row is the tensor's shape without its first (batch) dimension; a shape
 * {@code []} or {@code [-1]} holds one value a row. {@code BYTES} tensors (strings, such as a
 * classifier's labels) are not numbers and have no features: see {@link #profiled}.
 *
 * <p>A variable dimension other than the batch ({@code [-1, -1]}) is refused rather than guessed
 * from the first row: a profile compares the same feature across rows, which needs a fixed row
 * layout. So is a side with more than {@link #MAX_FEATURES} features (a profile per pixel of an
 * image model says nothing useful and costs a sketch per value). Stateless; thread-safe.
 */
public final class FeatureNames {
  /** The most features one side (inputs or outputs) of a profile may have. */
  public static final int MAX_FEATURES = 4096;

  private FeatureNames() {}

  /** The signature's input features. */
  public static List<String> inputs(Signature signature) {
    return of(Objects.requireNonNull(signature, "signature").inputs(), "input");
  }

  /** The signature's output features. */
  public static List<String> outputs(Signature signature) {
    return of(Objects.requireNonNull(signature, "signature").outputs(), "output");
  }

  /** Whether a tensor has features: every datatype but {@code BYTES}. */
  public static boolean profiled(TensorSpec t) {
    return !"BYTES".equalsIgnoreCase(t.datatype());
  }

  /** The tensors of {@code specs} that have features ({@link #profiled}), in order. */
  public static List<TensorSpec> profiled(List<TensorSpec> specs) {
    return specs.stream().filter(FeatureNames::profiled).toList();
  }

  /**
   * The features of {@code tensors} ({@code BYTES} tensors have none).
   *
   * @param side {@code input} or {@code output}, for messages
   * @throws IllegalArgumentException if a row dimension is variable or not positive, or the
   *     tensors hold more than {@link #MAX_FEATURES} values a row
   */
  public static List<String> of(List<TensorSpec> tensors, String side) {
    List<String> names = new ArrayList<>();
    for (TensorSpec t : profiled(tensors)) {
      int n = rowElements(t, side);
      if ((long) names.size() + n > MAX_FEATURES) {
        throw new IllegalArgumentException("the " + side + "s hold more than " + MAX_FEATURES
            + " values a row; drift profiles cover at most " + MAX_FEATURES + " features");
      }
      if (n == 1) {
        names.add(t.name());
      } else {
        for (int i = 0; i < n; i++) {
          names.add(t.name() + "[" + i + "]");
        }
      }
    }
    return List.copyOf(names);
  }

  /**
   * Values one row of {@code t} holds: the product of its shape past the batch dimension.
   *
   * @throws IllegalArgumentException if one of those dimensions is variable or not positive
   */
  public static int rowElements(TensorSpec t, String side) {
    List<Long> shape = t.shape();
    long n = 1;
    for (int i = 1; i < shape.size(); i++) {
      long d = shape.get(i);
      if (d < 1) {
        throw new IllegalArgumentException(side + " '" + t.name() + "' has shape " + shape
            + ": a drift profile needs every dimension but the first (the batch) fixed");
      }
      n *= d;
      if (n > MAX_FEATURES) {
        throw new IllegalArgumentException(side + " '" + t.name() + "' holds more than "
            + MAX_FEATURES + " values a row; drift profiles cover at most " + MAX_FEATURES
            + " features");
      }
    }
    return (int) n;
  }
}
