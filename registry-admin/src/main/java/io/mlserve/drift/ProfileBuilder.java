package io.mlserve.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link ReferenceProfile} from rows of input (and optionally output) values, one value
 * per feature a row, in memory that does not grow with the rows: per feature a {@link
 * FeatureSketch} (exact count, missing, mean, std, min and max over every row; quantiles, bin
 * edges and bin fractions from a seeded uniform sample of at most {@code sketchCapacity} finite
 * values). When the features are many, the per-feature sample shrinks so that all samples
 * together hold at most {@link #MAX_SAMPLE_VALUES} values (64 MiB). The same rows, in the same
 * order, with the same seed give the same profile. Not thread-safe: one thread adds the rows.
 */
public final class ProfileBuilder {
  /** Bins a profile has by default (deciles). */
  public static final int DEFAULT_BINS = 10;
  /** Values each feature's sample holds by default. */
  public static final int DEFAULT_SKETCH_CAPACITY = 10_000;
  /** The most sampled values all features of one builder hold together. */
  public static final int MAX_SAMPLE_VALUES = 8_000_000;

  private final List<String> inputNames;
  private final List<String> outputNames;
  private final FeatureSketch[] inputs;
  private final FeatureSketch[] outputs;
  private final int bins;
  private long rows;

  /**
   * A builder for the given features.
   *
   * @param inputFeatures the input features' names (see {@link FeatureNames})
   * @param outputFeatures the output features' names; empty when outputs are not profiled
   * @param bins bins per feature before repeated edges are dropped, 2 to 100
   * @param sketchCapacity sampled values per feature, at least 101
   * @param seed the sampling seed
   */
  public ProfileBuilder(List<String> inputFeatures, List<String> outputFeatures, int bins,
      int sketchCapacity, long seed) {
    this.inputNames = List.copyOf(inputFeatures);
    this.outputNames = List.copyOf(outputFeatures);
    if (bins < 2 || bins > 100) {
      throw new IllegalArgumentException("a profile needs 2 to 100 bins a feature, not " + bins);
    }
    if (sketchCapacity < Quantiles.POINTS) {
      throw new IllegalArgumentException("a feature's sample needs room for at least "
          + Quantiles.POINTS + " values, not " + sketchCapacity);
    }
    if (inputNames.size() > FeatureNames.MAX_FEATURES
        || outputNames.size() > FeatureNames.MAX_FEATURES) {
      throw new IllegalArgumentException("a profile covers at most " + FeatureNames.MAX_FEATURES
          + " input and " + FeatureNames.MAX_FEATURES + " output features");
    }
    int features = Math.max(1, inputNames.size() + outputNames.size());
    int capacity = Math.max(Quantiles.POINTS, Math.min(sketchCapacity,
        MAX_SAMPLE_VALUES / features));
    this.bins = bins;
    this.inputs = sketches(inputNames.size(), capacity, seed);
    this.outputs = sketches(outputNames.size(), capacity, seed ^ 0x9E3779B97F4A7C15L);
  }

  private static FeatureSketch[] sketches(int n, int capacity, long seed) {
    FeatureSketch[] s = new FeatureSketch[n];
    for (int i = 0; i < n; i++) {
      s[i] = new FeatureSketch(capacity, seed + 31L * i);
    }
    return s;
  }

  /**
   * Adds one row.
   *
   * @param inputs one value per input feature
   * @param outputs one value per output feature, or null when this builder profiles no outputs
   * @throws IllegalArgumentException if a side has the wrong number of values
   */
  public void addRow(double[] inputs, double[] outputs) {
    Objects.requireNonNull(inputs, "inputs");
    check(inputs.length, this.inputs.length, "input");
    for (int i = 0; i < inputs.length; i++) {
      this.inputs[i].add(inputs[i]);
    }
    if (outputs != null || this.outputs.length > 0) {
      check(outputs == null ? 0 : outputs.length, this.outputs.length, "output");
      for (int i = 0; i < this.outputs.length; i++) {
        this.outputs[i].add(outputs[i]);
      }
    }
    rows++;
  }

  /**
   * Adds one row from float arrays: the input features are {@code inputs[inOffset ..]}, the
   * output features {@code outputs[outOffset ..]} ({@code outputs} null when no outputs are
   * profiled). The arrays must hold every feature from their offsets.
   */
  public void addRow(float[] inputs, int inOffset, float[] outputs, int outOffset) {
    Objects.requireNonNull(inputs, "inputs");
    checkRange(inputs.length, inOffset, this.inputs.length, "input");
    for (int i = 0; i < this.inputs.length; i++) {
      this.inputs[i].add(inputs[inOffset + i]);
    }
    if (this.outputs.length > 0) {
      if (outputs == null) {
        throw new IllegalArgumentException("a row needs " + this.outputs.length
            + " output values, got none");
      }
      checkRange(outputs.length, outOffset, this.outputs.length, "output");
      for (int i = 0; i < this.outputs.length; i++) {
        this.outputs[i].add(outputs[outOffset + i]);
      }
    }
    rows++;
  }

  /** Rows added so far. */
  public long rows() {
    return rows;
  }

  /** Input features, in order. */
  public List<String> inputFeatures() {
    return inputNames;
  }

  /** Output features, in order; empty when outputs are not profiled. */
  public List<String> outputFeatures() {
    return outputNames;
  }

  /**
   * The profile of the rows added so far (the builder can go on taking rows afterwards).
   *
   * @param source where the rows came from (see {@link ReferenceProfile#source})
   */
  public ReferenceProfile build(String model, String version, String source,
      long createdMillis) {
    return new ReferenceProfile(model, version, source, rows, createdMillis,
        profiles(inputNames, inputs), profiles(outputNames, outputs));
  }

  private List<FeatureProfile> profiles(List<String> names, FeatureSketch[] sketches) {
    List<FeatureProfile> out = new ArrayList<>(sketches.length);
    for (int i = 0; i < sketches.length; i++) {
      out.add(sketches[i].profile(names.get(i), bins));
    }
    return out;
  }

  /** Values the first input feature's sample holds (for tests of the memory bound). */
  int sampledValues() {
    return inputs.length == 0 ? 0 : inputs[0].sampled();
  }

  private static void check(int got, int want, String side) {
    if (got != want) {
      throw new IllegalArgumentException("a row needs " + want + " " + side + " values, got "
          + got);
    }
  }

  private static void checkRange(int length, int offset, int want, String side) {
    if (offset < 0 || (long) offset + want > length) {
      throw new IllegalArgumentException("a row needs " + want + " " + side + " values from"
          + " offset " + offset + ", but the array holds " + length);
    }
  }
}
