package io.mlserve.dataset;

import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.AtomicFiles;
import io.mlserve.store.EventLog;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's evaluation datasets in the store, {@code <store>/<model>/datasets/<name>/}: the data
 * file as it was sent ({@code data.jsonl}, {@code data.npz} or {@code data.csv}) and its record
 * {@code dataset.json} ({@link DatasetInfo}). Immutable once added: an existing name is refused
 * ({@link DatasetExistsException}).
 *
 * <p>An addition is all-or-nothing: the bytes go to a hidden temp directory in the store, every
 * row is checked against the input signature of the model's Production version (else its
 * latest), the record is written and fsynced, then under the store lock (after the registry's
 * recovery) the event {@code ml.model.dataset_added.v1} is appended and the directory renamed
 * into place, the commit point. A writer killed before the event leaves a hidden temp directory,
 * swept once it is an hour old ({@link #sweep}, also run when this store is created and before
 * each addition); one killed after it is finished by the registry's recovery
 * ({@link DatasetFiles#finishAdd}). Reading ({@link #open}) streams the file one batch at a
 * time. This class is thread-safe.
 */
public final class DatasetStore {
  private static final Logger log = LoggerFactory.getLogger(DatasetStore.class);
  /** A temp directory this old belongs to a writer that died. */
  static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private final ModelRegistry registry;
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final DatasetLimits limits;

  /** Also sweeps stale temp directories of every model. */
  public DatasetStore(ModelRegistry registry, Clock clock, DatasetLimits limits) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.store = registry.store();
    this.events = registry.events();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = Objects.requireNonNull(limits, "limits");
    for (String model : store.modelNames()) {
      sweep(model);
    }
  }

  public DatasetLimits limits() {
    return limits;
  }

  AtomicFiles files() {
    return store.files();
  }

  /**
   * Starts adding dataset {@code name} to {@code model}: checks the names, that the model has a
   * version to check rows against and that the name is free, and opens the temp directory the
   * bytes go to.
   *
   * @throws NotFoundException if the model does not exist
   * @throws InvalidRequestException for a bad name, or a model without versions or inputs
   * @throws DatasetExistsException if the dataset exists
   */
  public DatasetUpload begin(String model, String name, DatasetFormat format, String description,
      String actor) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(actor, "actor");
    requireModel(model);
    if (!DatasetFiles.isValidName(name)) {
      throw new InvalidRequestException("invalid dataset name '" + Names.printable(name)
          + "': use letters, digits, '_', '.' and '-', starting with a letter or digit, at most"
          + " 128 characters");
    }
    String version = checkedVersion(model);
    DatasetSchema schema;
    try {
      schema = DatasetSchema.of(store.manifest(model, version).signature(),
          model + ":" + version, limits);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
    if (exists(model, name)) {
      throw new DatasetExistsException(model, name);
    }
    Path tmp = registry.locked(model, () -> {
      sweep(model);
      Path dir = DatasetFiles.datasetsDir(store, model)
          .resolve(DatasetFiles.TEMP_PREFIX + UUID.randomUUID());
      files().createDirectories(dir);
      return dir;
    });
    try {
      return new DatasetUpload(this, new DatasetUpload.Request(model, name, format,
          description == null || description.isBlank() ? null : description, actor, schema,
          version), tmp, limits.maxBytes());
    } catch (IOException | RuntimeException e) {
      DatasetFiles.discard(tmp);
      throw e instanceof IOException io
          ? new StoreException("cannot add the dataset: " + IoErrors.reason(io), io)
          : (RuntimeException) e;
    }
  }

  /**
   * Adds a dataset from {@code data} (read to its end, not closed): {@link #begin}, the bytes,
   * {@link DatasetUpload#commit}.
   */
  public DatasetInfo add(String model, String name, DatasetFormat format, InputStream data,
      String description, String actor) throws IOException {
    try (DatasetUpload up = begin(model, name, format, description, actor)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = data.read(buf)) > 0; ) {
        up.write(buf, 0, n);
      }
      return up.commit(null);
    }
  }

  /** The version whose signature new datasets are checked against: Production, else latest. */
  private String checkedVersion(String model) {
    List<String> versions = store.versions(model);
    if (versions.isEmpty()) {
      throw new InvalidRequestException("model '" + model + "' has no versions; a dataset is"
          + " checked against a version's input signature, so register one first");
    }
    return store.stageVersion(model, Stage.PRODUCTION).orElse(versions.get(versions.size() - 1));
  }

  /** Checks the rows, writes the record and commits; called by {@link DatasetUpload#commit}. */
  DatasetInfo install(DatasetUpload.Request r, Path tmp, Path dataFile, String sha256,
      long bytes) throws IOException {
    DatasetScan.Result scan = DatasetScan.scan(r.format(), dataFile, r.schema(), limits);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    DatasetInfo info = new DatasetInfo(r.name(), r.model(), r.format().id(),
        r.format().fileName(), sha256, bytes, scan.rows(), r.schema().inputs(),
        scan.labelWidth(), scan.labelKind(), r.checkedAgainst(), now.toString(), r.actor(),
        r.description());
    files().write(tmp.resolve(DatasetFiles.RECORD), info.toJson());
    files().fsyncDirectory(tmp);
    registry.locked(r.model(), () -> {
      Path target = DatasetFiles.datasetsDir(store, r.model()).resolve(r.name());
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new DatasetExistsException(r.model(), r.name());
      }
      events.appendQueued(DatasetEvents.added(info, now.toEpochMilli()));
      try {
        files().move(tmp, target); // the commit point
      } catch (FileAlreadyExistsException e) {
        throw new DatasetExistsException(r.model(), r.name());
      }
      store.lock().committed();
      files().syncAfterCommit(target.getParent());
      return null;
    });
    return info;
  }

  /**
   * The model's datasets, by name.
   *
   * @throws NotFoundException if the model does not exist
   */
  public List<DatasetInfo> list(String model) {
    requireModel(model);
    Path dir = DatasetFiles.datasetsDir(store, model);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString()).filter(DatasetFiles::isValidName).sorted()
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list the datasets of " + model + ": "
          + IoErrors.reason(e), e);
    }
    List<DatasetInfo> out = new ArrayList<>(names.size());
    for (String n : names) {
      out.add(get(model, n));
    }
    return out;
  }

  /**
   * The record of dataset {@code name}.
   *
   * @throws NotFoundException if the model or dataset does not exist
   */
  public DatasetInfo get(String model, String name) {
    requireModel(model);
    if (!exists(model, name)) {
      throw new NotFoundException("model '" + Names.printable(model) + "' has no dataset '"
          + Names.printable(name) + "'");
    }
    return DatasetInfo.read(dir(model, name).resolve(DatasetFiles.RECORD));
  }

  /**
   * Reads dataset {@code name} front to back, checking every row against its record (the file
   * is the one whose SHA-256 the record holds; it is not rehashed on each read).
   *
   * @throws NotFoundException if the model or dataset does not exist
   */
  public DatasetSource open(String model, String name) throws IOException {
    DatasetInfo info = get(model, name);
    Path file = dir(model, name).resolve(info.dataFormat().fileName());
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new StoreException("dataset " + model + "/" + name + " has no data file");
    }
    return DatasetReaders.open(info.dataFormat(), file, info.schema(), limits, info.rows());
  }

  /** The data file of a stored dataset (for a client that copies it). */
  public Path dataFile(String model, String name) {
    DatasetInfo info = get(model, name);
    return dir(model, name).resolve(info.dataFormat().fileName());
  }

  /**
   * Deletes the model's dataset temp directories older than an hour (left by writers that
   * died); returns how many.
   */
  public int sweep(String model) {
    if (!store.hasModel(model)) {
      return 0;
    }
    return store.lock().call(() -> {
      int n = 0;
      long now = clock.millis();
      for (Path tmp : DatasetFiles.tempDirs(store, model)) {
        long age;
        try {
          age = now - Files.getLastModifiedTime(tmp, LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException gone) {
          continue;
        }
        if (age >= STALE_TEMP_AGE.toMillis()) {
          log.info("{}: removing dataset temp directory {} left by an interrupted writer",
              model, tmp.getFileName());
          AtomicFiles.deleteRecursively(tmp);
          n++;
        }
      }
      return n;
    });
  }

  private boolean exists(String model, String name) {
    return DatasetFiles.isValidName(name)
        && Files.isDirectory(dir(model, name), LinkOption.NOFOLLOW_LINKS);
  }

  private Path dir(String model, String name) {
    return DatasetFiles.datasetsDir(store, model).resolve(name);
  }

  private void requireModel(String model) {
    Objects.requireNonNull(model, "model");
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
  }
}
