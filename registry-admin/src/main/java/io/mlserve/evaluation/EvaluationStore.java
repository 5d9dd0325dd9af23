package io.mlserve.evaluation;

import io.mlserve.store.AtomicFiles;
import io.mlserve.store.IoErrors;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.RecordFiles;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Keeps evaluation results with the version they evaluated:
 * {@code <store>/<model>/versions/<version>/evaluations/<id>.json} (the {@link EvaluationJson}
 * form) and {@code <id>.html} beside it (the {@link EvaluationReport}). Both are written
 * atomically through the store's {@link AtomicFiles} under the store lock, the report first
 * and the JSON last: the JSON's rename is what makes an evaluation exist (listings read JSON
 * files only), and a failed write, or a failure of the enclosing locked section, removes what
 * it wrote. Reads take no lock, never follow a symlinked file or directory, and refuse files
 * over 16 MiB. Thread-safe.
 */
public final class EvaluationStore {
  /** The most evaluations one listing returns. */
  public static final int MAX_LISTED = 1000;
  static final String DIR = "evaluations";
  private static final int MAX_BYTES = 16 << 20;

  private final ModelStore store;

  public EvaluationStore(ModelStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Stores a new evaluation and its report.
   *
   * @throws NotFoundException if the model or the evaluated version does not exist
   * @throws StoreException if an evaluation with this id exists, or the write fails
   */
  public void save(Evaluation e) {
    write(e, false);
  }

  /**
   * Replaces a stored evaluation and its report by {@code e} (the same id, e.g. with a verdict
   * attached by {@link Evaluation#withVerdict}).
   *
   * @throws NotFoundException if no evaluation with this id is stored
   */
  public void replace(Evaluation e) {
    write(e, true);
  }

  private void write(Evaluation e, boolean replace) {
    Objects.requireNonNull(e, "e");
    Path dir = dir(e.model(), e.version());
    byte[] json = EvaluationJson.encode(e);
    byte[] html = EvaluationReport.render(e).getBytes(StandardCharsets.UTF_8);
    Path jsonFile = dir.resolve(e.id() + ".json");
    Path htmlFile = dir.resolve(e.id() + ".html");
    store.lock().call(() -> {
      boolean exists = Files.exists(jsonFile, LinkOption.NOFOLLOW_LINKS);
      if (replace && !exists) {
        throw notFound(e.model(), e.version(), e.id());
      }
      if (!replace && exists) {
        throw new StoreException("evaluation " + e.id() + " of " + e.model() + ":"
            + e.version() + " already exists");
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        store.files().createDirectories(dir);
        store.lock().onFailure(() -> AtomicFiles.deleteIfEmptyDirectory(dir));
      }
      if (!replace) {
        store.lock().onFailure(() -> Files.deleteIfExists(htmlFile));
        store.lock().onFailure(() -> Files.deleteIfExists(jsonFile));
      }
      store.files().write(htmlFile, html);
      store.files().write(jsonFile, json);
      return null;
    });
  }

  /**
   * A stored evaluation.
   *
   * @throws NotFoundException if the model, version or evaluation does not exist
   * @throws StoreException if the file cannot be read or is not an evaluation
   */
  public Evaluation read(String model, String version, String id) {
    Objects.requireNonNull(id, "id");
    if (!EvaluationIds.isValid(id)) {
      throw notFound(model, version, id);
    }
    Path dir = dir(model, version);
    return decode(model, version, id, bytes(dir.resolve(id + ".json"), model, version, id));
  }

  /**
   * The version's evaluations, newest first, at most {@code limit}.
   *
   * @throws IllegalArgumentException if {@code limit} is not between 1 and {@link #MAX_LISTED}
   * @throws NotFoundException if the model or version does not exist
   */
  public List<Evaluation> list(String model, String version, int limit) {
    if (limit < 1 || limit > MAX_LISTED) {
      throw new IllegalArgumentException("the limit must be between 1 and " + MAX_LISTED
          + ", got " + limit);
    }
    Path dir = dir(model, version);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> ids;
    try (Stream<Path> s = Files.list(dir)) {
      ids = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .filter(EvaluationIds::isValid)
          .sorted(Comparator.reverseOrder())
          .limit(limit)
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list the evaluations of " + model + ":" + version + ": "
          + IoErrors.reason(e), e);
    }
    List<Evaluation> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      try {
        out.add(decode(model, version, id, bytes(dir.resolve(id + ".json"), model, version,
            id)));
      } catch (NotFoundException gone) {
        // removed between the listing and the read (its version is being deleted)
      }
    }
    return out;
  }

  /**
   * The HTML report of a stored evaluation.
   *
   * @throws NotFoundException if the model, version or evaluation does not exist
   */
  public String report(String model, String version, String id) {
    if (!EvaluationIds.isValid(id)) {
      throw notFound(model, version, id);
    }
    return new String(bytes(dir(model, version).resolve(id + ".html"), model, version, id),
        StandardCharsets.UTF_8);
  }

  private Path dir(String model, String version) {
    Path dir = store.versionDir(model, version).resolve(DIR);
    if (Files.isSymbolicLink(dir)) {
      throw new StoreException("the evaluations of " + model + ":" + version
          + " are a symlink; refusing them");
    }
    return dir;
  }

  private static byte[] bytes(Path file, String model, String version, String id) {
    return RecordFiles.read(file, "evaluation " + id + " of " + model + ":" + version, MAX_BYTES)
        .orElseThrow(() -> notFound(model, version, id));
  }

  private static Evaluation decode(String model, String version, String id, byte[] bytes) {
    try {
      return EvaluationJson.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new StoreException("evaluation " + id + " of " + model + ":" + version + " is "
          + e.getMessage(), e);
    }
  }

  private static NotFoundException notFound(String model, String version, String id) {
    return new NotFoundException(model + ":" + version + " has no evaluation '"
        + Names.printable(id) + "'");
  }
}
