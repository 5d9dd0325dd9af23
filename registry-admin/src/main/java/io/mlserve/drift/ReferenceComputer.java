package io.mlserve.drift;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.dataset.InputArray;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.InstallStep;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Signature;
import io.mlserve.store.StoreException;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Computes and stores versions' reference profiles ({@code versions/<v>/reference.json}): the
 * inputs profiled from a dataset's rows ({@link ReferenceRows} says which), the outputs from the
 * version's own predictions on those rows through an {@link OutputPredictor} (the engine). Where
 * there is no engine, only the inputs are profiled ({@link #profilesOutputs} is false), and the
 * server takes the outputs' reference from the first live rows.
 *
 * <p>At registration, {@link #step} gives the {@link InstallStep} that writes the profile into
 * the version's directory before it becomes visible, so a failing reference refuses the
 * registration and leaves nothing. For an existing version, {@link #set} computes outside the
 * store lock and writes atomically under it. At most {@code maxRows} rows are read; memory is
 * bounded by the {@link ProfileBuilder} and one batch. Thread-safe.
 */
public final class ReferenceComputer {
  /** Rows a reference reads at most by default. */
  public static final long DEFAULT_MAX_ROWS = 1_000_000;
  private static final int BATCH_ROWS = 1024;

  private final ModelStore store;
  private final ReferenceRows rows;
  private final OutputPredictor engine;
  private final Clock clock;
  private final long maxRows;

  /**
   * @param engineOrNull the engine that answers the outputs, or null to profile inputs only
   * @param maxRows rows read at most from a reference's source
   */
  public ReferenceComputer(ModelStore store, DatasetStore datasets, RunStore runs,
      OutputPredictor engineOrNull, Clock clock, long maxRows) {
    this.store = Objects.requireNonNull(store, "store");
    this.rows = new ReferenceRows(datasets, runs);
    this.engine = engineOrNull;
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be positive");
    }
    this.maxRows = maxRows;
  }

  /** Whether outputs are profiled (an engine is at hand). */
  public boolean profilesOutputs() {
    return engine != null;
  }

  /**
   * The step that profiles a version being registered from {@code spec}'s rows and writes
   * {@code reference.json} into its directory. The rows are resolved now (an unknown dataset or
   * rows that do not fit {@code signature} fail before anything is copied).
   *
   * @throws NotFoundException for an unknown dataset, run or artifact
   * @throws InvalidRequestException for a malformed spec or rows that do not fit
   */
  public InstallStep step(String model, String version, Signature signature, String spec) {
    ReferenceRows.Rows source = rows.resolve(model, spec, signature, model + ":" + version);
    return new InstallStep() {
      @Override
      public void run(Path versionDir, Manifest manifest) throws IOException {
        ReferenceJson.write(store.files(), versionDir, compute(versionDir, manifest, source));
      }

      @Override
      public void renumbered(Path versionDir, Manifest manifest) throws IOException {
        ReferenceProfile p = ReferenceJson.read(versionDir).orElseThrow();
        ReferenceJson.write(store.files(), versionDir, new ReferenceProfile(p.model(),
            manifest.version(), p.source(), p.rows(), p.createdMillis(), p.inputs(),
            p.outputs()));
      }
    };
  }

  /**
   * Computes the profile of an existing version from {@code spec}'s rows and stores it.
   *
   * @param replace whether an existing profile may be replaced
   * @throws NotFoundException for an unknown model, version, dataset, run or artifact
   * @throws InvalidRequestException if the version has a profile and {@code replace} is false,
   *     or the rows cannot be profiled
   */
  public ReferenceProfile set(String model, String version, String spec, boolean replace) {
    Manifest m = store.manifest(model, version);
    Path dir = store.versionDir(model, version);
    if (!replace) {
      refuseExisting(dir, model, version);
    }
    ReferenceRows.Rows source = rows.resolve(model, spec, m.signature(), model + ":" + version);
    ReferenceProfile p = compute(dir, m, source);
    store.lock().call(() -> {
      if (!replace) {
        refuseExisting(dir, model, version);
      }
      ReferenceJson.write(store.files(), dir, p);
      store.lock().committed();
      return null;
    });
    return p;
  }

  /**
   * The version's stored profile; empty if it has none.
   *
   * @throws NotFoundException for an unknown model or version
   */
  public Optional<ReferenceProfile> get(String model, String version) {
    return ReferenceJson.read(store.versionDir(model, version));
  }

  private static void refuseExisting(Path dir, String model, String version) {
    Optional<ReferenceProfile> old = ReferenceJson.read(dir);
    if (old.isPresent()) {
      throw new InvalidRequestException(model + ":" + version + " already has a reference"
          + " profile (from " + old.get().source() + "); replace it explicitly (--replace)");
    }
  }

  /**
   * Profiles the version in {@code versionDir} from the rows.
   *
   * @throws InvalidRequestException naming the source, when the rows are malformed or empty, or
   *     the version fails on them
   * @throws StoreException when the rows cannot be read
   */
  ReferenceProfile compute(Path versionDir, Manifest manifest, ReferenceRows.Rows source) {
    Signature sig = manifest.signature();
    String where = "reference " + source.source();
    List<String> outputs;
    int[] outputWidths;
    try {
      outputs = engine == null ? List.of() : FeatureNames.outputs(sig);
      outputWidths = engine == null ? new int[0] : widths(FeatureNames.profiled(sig.outputs()));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(where + ": " + e.getMessage(), e);
    }
    ProfileBuilder b = new ProfileBuilder(FeatureNames.inputs(sig), outputs,
        ProfileBuilder.DEFAULT_BINS, ProfileBuilder.DEFAULT_SKETCH_CAPACITY,
        source.source().hashCode());
    try (DatasetSource in = source.open();
        OutputPredictor.Session session = engine == null ? null
            : engine.open(versionDir, manifest)) {
      DatasetBatch batch;
      while (b.rows() < maxRows
          && (batch = in.next((int) Math.min(BATCH_ROWS, maxRows - b.rows()))) != null) {
        add(b, batch, session == null ? null : session.predict(batch), sig, outputWidths);
      }
    } catch (InvalidRequestException | StoreException e) {
      throw e;
    } catch (IOException e) {
      throw new StoreException("cannot read " + where + ": " + IoErrors.reason(e), e);
    } catch (RuntimeException e) { // a malformed row, an answer that does not fit
      throw new InvalidRequestException(where + ": " + e.getMessage(), e);
    } catch (Exception e) { // the engine's failures: load, predict
      throw new InvalidRequestException(where + ": the version failed on the rows: "
          + e.getMessage(), e);
    }
    if (b.rows() == 0) {
      throw new InvalidRequestException(where + " holds no rows");
    }
    return b.build(manifest.name(), manifest.version(), source.source(), clock.millis());
  }

  private static int[] widths(List<TensorSpec> outputs) {
    int[] w = new int[outputs.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = FeatureNames.rowElements(outputs.get(i), "output");
    }
    return w;
  }

  /** Adds the batch's rows: inputs flattened in signature order, then the outputs likewise. */
  private static void add(ProfileBuilder b, DatasetBatch batch, List<double[]> predicted,
      Signature sig, int[] outputWidths) {
    int rowCount = batch.rows();
    List<InputArray> arrays = batch.inputs();
    double[][] in = new double[arrays.size()][];
    int inWidth = 0;
    for (int i = 0; i < in.length; i++) {
      in[i] = arrays.get(i).toDoubles();
      inWidth += in[i].length / rowCount;
    }
    if (predicted != null && predicted.size() != outputWidths.length) {
      throw new IllegalArgumentException("the version answered " + predicted.size()
          + " outputs; its signature declares " + outputWidths.length);
    }
    int outWidth = 0;
    for (int o = 0; o < outputWidths.length; o++) {
      if (predicted.get(o).length != (long) rowCount * outputWidths[o]) {
        throw new IllegalArgumentException("output '"
            + FeatureNames.profiled(sig.outputs()).get(o).name() + "' answered "
            + predicted.get(o).length + " values for " + rowCount + " rows; the signature says "
            + outputWidths[o] + " a row");
      }
      outWidth += outputWidths[o];
    }
    double[] rowIn = new double[inWidth];
    double[] rowOut = predicted == null ? null : new double[outWidth];
    for (int r = 0; r < rowCount; r++) {
      int k = 0;
      for (double[] a : in) {
        int w = a.length / rowCount;
        System.arraycopy(a, r * w, rowIn, k, w);
        k += w;
      }
      if (rowOut != null) {
        k = 0;
        for (int o = 0; o < outputWidths.length; o++) {
          System.arraycopy(predicted.get(o), r * outputWidths[o], rowOut, k, outputWidths[o]);
          k += outputWidths[o];
        }
      }
      b.addRow(rowIn, rowOut);
    }
  }
}
