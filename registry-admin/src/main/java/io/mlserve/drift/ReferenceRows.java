package io.mlserve.drift;

import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetInput;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetReaders;
import io.mlserve.dataset.DatasetSchema;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.store.Names;
import io.mlserve.store.Signature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where a reference profile's rows come from, as an operator names them: a dataset of the model
 * ({@code train_sample}, or {@code dataset:train_sample}) or a dataset file among a run's
 * artifacts ({@code run:<run_id>/<artifact>}, e.g. {@code run:3f2a9c/artifacts/train.jsonl}; a
 * bare file name is looked up under {@code artifacts/}). A run's file is in a dataset format
 * (JSONL, npz, CSV, by its extension) and is checked row by row against the version's inputs as
 * it is read; a stored dataset's inputs must be the version's. Stateless; thread-safe.
 */
final class ReferenceRows {
  private static final String RUN = "run:";
  private static final String DATASET = "dataset:";

  /** Opens the rows front to back. */
  @FunctionalInterface
  interface Opener {
    DatasetSource open() throws IOException;
  }

  /** Resolved rows: {@code source} as {@link ReferenceProfile#source} records it. */
  record Rows(String source, Opener opener) {
    DatasetSource open() throws IOException {
      return opener.open();
    }
  }

  private final DatasetStore datasets;
  private final RunStore runs;

  ReferenceRows(DatasetStore datasets, RunStore runs) {
    this.datasets = Objects.requireNonNull(datasets, "datasets");
    this.runs = Objects.requireNonNull(runs, "runs");
  }

  /**
   * Resolves {@code spec} for a version of {@code model} with {@code signature}, checking that
   * it exists and, for a stored dataset, that its rows hold the version's inputs.
   *
   * @param label the version as messages name it ({@code m:1.2.0})
   * @throws io.mlserve.store.NotFoundException for an unknown dataset, run or artifact
   * @throws InvalidRequestException for a malformed spec, or rows that do not fit
   */
  Rows resolve(String model, String spec, Signature signature, String label) {
    if (spec == null || spec.isBlank()) {
      throw new InvalidRequestException("the reference is empty: give a dataset name or"
          + " run:<run_id>/<artifact>");
    }
    DatasetLimits limits = datasets.limits();
    DatasetSchema schema;
    try {
      schema = DatasetSchema.of(signature, label, limits);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("cannot profile " + label + ": " + e.getMessage(), e);
    }
    if (spec.startsWith(RUN)) {
      String rest = spec.substring(RUN.length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new InvalidRequestException("reference '" + Names.printable(spec) + "': write a"
            + " run's file as run:<run_id>/<artifact>, e.g. run:3f2a9c/artifacts/train.jsonl");
      }
      String runId = rest.substring(0, slash);
      String name = rest.substring(slash + 1);
      Path file = runs.artifactFile(model, runId, name);
      DatasetFormat format;
      try {
        format = DatasetFormat.fromFileName(file.getFileName().toString());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("reference '" + Names.printable(spec) + "': "
            + e.getMessage(), e);
      }
      return new Rows(RUN + runId + "/" + name,
          () -> DatasetReaders.open(format, file, schema, limits, -1));
    }
    String name = spec.startsWith(DATASET) ? spec.substring(DATASET.length()) : spec;
    DatasetInfo info = datasets.get(model, name);
    if (!info.inputs().equals(schema.inputs())) {
      throw new InvalidRequestException("dataset '" + name + "' does not fit " + label
          + ": its rows hold " + text(info.inputs()) + ", the version takes "
          + text(schema.inputs()));
    }
    return new Rows(DATASET + name + "@" + info.sha256(), () -> datasets.open(model, name));
  }

  /** {@code 'curve' FP32 [24]; ...}. */
  private static String text(List<DatasetInput> inputs) {
    StringBuilder sb = new StringBuilder();
    for (DatasetInput in : inputs) {
      sb.append(sb.length() == 0 ? "" : "; ").append('\'').append(in.name()).append("' ")
          .append(in.datatype()).append(' ').append(in.shape());
    }
    return sb.toString();
  }
}
