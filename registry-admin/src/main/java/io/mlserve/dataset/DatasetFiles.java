package io.mlserve.dataset;

import io.mlserve.store.AtomicFiles;
import io.mlserve.store.Event;
import io.mlserve.store.IoErrors;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where datasets live in the store, {@code <store>/<model>/datasets/<name>/}, and the part of
 * the store's recovery that concerns them: an addition whose event is durable but whose
 * directory was not yet renamed into place (a writer killed in between) is finished from its
 * assembled temp directory ({@link #finishAdd}). Temp directories are hidden
 * ({@code .tmp-<uuid>}), so readers never list them. Stateless; callers of the mutating methods
 * hold the store lock.
 */
public final class DatasetFiles {
  private static final Logger log = LoggerFactory.getLogger(DatasetFiles.class);
  /** The directory of a model's datasets, under the model's directory. */
  public static final String DIR = "datasets";
  /** The record beside the data file. */
  public static final String RECORD = "dataset.json";
  static final String TEMP_PREFIX = ".tmp-";

  private DatasetFiles() {}

  /**
   * {@code <model>/datasets}.
   *
   * @throws StoreException if it is a symlink (nothing read or written may leave the store)
   */
  static Path datasetsDir(ModelStore store, String model) {
    Path dir = store.modelDirectory(model).resolve(DIR);
    if (Files.isSymbolicLink(dir)) {
      throw new StoreException(model + "/" + DIR + " is a symlink; refusing it");
    }
    return dir;
  }

  /** Whether {@code name} may name a dataset (the model name rule). */
  static boolean isValidName(String name) {
    return Names.isValidModelName(name);
  }

  /** The hidden temp directories under {@code <model>/datasets}. */
  static List<Path> tempDirs(ModelStore store, String model) {
    Path dir = datasetsDir(store, model);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).sorted().toList();
    } catch (IOException e) {
      throw new StoreException("cannot list the datasets of " + model + ": "
          + IoErrors.reason(e), e);
    }
  }

  /**
   * Finishes the addition that {@code event} (the model's last) records if its directory is
   * missing: renames the temp directory holding that dataset into place. Idempotent. Call
   * holding the store lock (the registry's recovery does).
   */
  public static void finishAdd(ModelStore store, Event event) {
    if (!DatasetEvents.ADDED.equals(event.eventType()) || event.field("dataset") == null) {
      return;
    }
    String model = event.modelName();
    String name = event.field("dataset").asText();
    if (!isValidName(name)) {
      return;
    }
    Path target = datasetsDir(store, model).resolve(name);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String sha = event.field("sha256") == null ? null : event.field("sha256").asText();
    for (Path tmp : tempDirs(store, model)) {
      DatasetInfo info;
      try {
        info = DatasetInfo.read(tmp.resolve(RECORD));
      } catch (StoreException incomplete) {
        continue;
      }
      if (info.name().equals(name) && info.sha256().equals(sha)) {
        log.warn("{}: finishing the addition of dataset {} that seq {} recorded (interrupted"
            + " writer)", model, name, event.seq());
        try {
          store.files().move(tmp, target);
          store.files().syncAfterCommit(target.getParent());
        } catch (IOException e) {
          throw new StoreException("cannot finish adding dataset " + name + ": "
              + IoErrors.reason(e), e);
        }
        return;
      }
    }
    log.warn("{}: seq {} records dataset {} whose files are gone; it does not exist", model,
        event.seq(), name);
  }

  /** Deletes a temp directory, ignoring what cannot be deleted (it stays hidden). */
  static void discard(Path tmp) {
    AtomicFiles.deleteQuietly(tmp);
  }
}
