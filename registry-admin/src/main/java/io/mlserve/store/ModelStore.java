package io.mlserve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local model store: reads models, versions, manifests, stage pointers and history from the
 * store directory, and offers the atomic primitives the registry composes (install a version
 * directory by rename, move a stage pointer, append history). It enforces no lifecycle rules;
 * {@code io.mlserve.registry.ModelRegistry} does.
 *
 * <p>Reads take no lock: every mutation is an atomic rename or a newline-terminated append, so a
 * reader sees each file either before or after a change. Each mutating primitive takes the
 * store lock itself; callers that compose several hold {@link #lock()} around them. A model or
 * version name that is not valid cannot exist, so reads answer {@link NotFoundException} for it
 * (which also keeps paths from escaping the store). This class is thread-safe.
 */
public final class ModelStore {
  private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
  private static final String VERSIONS = "versions";
  private static final String MANIFEST = "model.json";
  private static final String HISTORY = "history.jsonl";
  private static final String TEMP_PREFIX = ".tmp-";
  private static final ObjectWriter HISTORY_WRITER = StoreJson.MAPPER.writerFor(HistoryEntry.class);
  private static final ObjectReader HISTORY_READER = StoreJson.MAPPER.readerFor(HistoryEntry.class);

  private final Path root;
  private final StoreLock lock;

  private ModelStore(Path root, StoreLock lock) {
    this.root = root;
    this.lock = lock;
  }

  /** Opens the store at {@code root}, creating the directory if absent. */
  public static ModelStore open(Path root) {
    Objects.requireNonNull(root, "root");
    createRoot(root);
    Path abs = root.toAbsolutePath().normalize();
    return new ModelStore(abs, StoreLock.forRoot(abs));
  }

  static void createRoot(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StoreException("cannot create store directory " + root + ": " + e, e);
    }
  }

  /** The store directory (absolute). */
  public Path root() {
    return root;
  }

  /** The writers' lock of this store. */
  public StoreLock lock() {
    return lock;
  }

  // ---- read side ------------------------------------------------------------------------------

  /** Names of the models in the store, sorted: directories with a valid name and a versions/. */
  public List<String> modelNames() {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Names.isValidModelName(p.getFileName().toString()))
          .filter(p -> Files.isDirectory(p.resolve(VERSIONS)))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list store " + root + ": " + e, e);
    }
  }

  /** Whether the model exists (has a versions/ directory). */
  public boolean hasModel(String model) {
    Objects.requireNonNull(model, "model");
    return Names.isValidModelName(model) && Files.isDirectory(versionsDir(model));
  }

  /**
   * The model's registered versions in semver order (oldest first); in-progress temp directories
   * are not versions.
   *
   * @throws NotFoundException if the model does not exist
   */
  public List<String> versions(String model) {
    requireModel(model);
    try (Stream<Path> s = Files.list(versionsDir(model))) {
      return s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(SemVer::isValid)
          .map(SemVer::parse)
          .sorted()
          .map(SemVer::toString)
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list versions of " + model + ": " + e, e);
    }
  }

  /** Whether the version exists. */
  public boolean hasVersion(String model, String version) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    return Names.isValidModelName(model) && SemVer.isValid(version)
        && Files.isDirectory(versionsDir(model).resolve(version));
  }

  /**
   * The version held by a stage pointer, read from the {@code staging}/{@code production}
   * symlink. Empty if the pointer is unset, and always for stages without a pointer
   * (Development, Deprecated, Archived can hold many versions; ask the registry per version).
   *
   * @throws NotFoundException if the model does not exist
   * @throws StoreException if the pointer exists but does not point at {@code versions/<semver>}
   */
  public Optional<String> stageVersion(String model, Stage stage) {
    requireModel(model);
    Objects.requireNonNull(stage, "stage");
    if (!stage.hasPointer()) {
      return Optional.empty();
    }
    Path link = modelDir(model).resolve(stage.pointerName());
    Path target;
    try {
      target = Files.readSymbolicLink(link);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NotLinkException e) {
      throw new StoreException(link + " is not a symlink; expected " + VERSIONS + "/<version>");
    } catch (IOException e) {
      throw new StoreException("cannot read " + link + ": " + e, e);
    }
    if (target.getNameCount() != 2 || target.isAbsolute()
        || !target.getName(0).toString().equals(VERSIONS)
        || !SemVer.isValid(target.getName(1).toString())) {
      throw new StoreException(link + " points at " + target + "; expected " + VERSIONS
          + "/<version>");
    }
    return Optional.of(target.getName(1).toString());
  }

  /**
   * The directory of a registered version.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public Path versionDir(String model, String version) {
    requireVersion(model, version);
    return versionsDir(model).resolve(version);
  }

  /**
   * The manifest of a registered version.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public Manifest manifest(String model, String version) {
    return ManifestCodec.read(versionDir(model, version).resolve(MANIFEST));
  }

  /**
   * The artifact file of a registered version (named by its manifest).
   *
   * @throws StoreException if the manifest names a path outside the version directory
   */
  public Path artifactPath(String model, String version) {
    Path dir = versionDir(model, version);
    String artifact = manifest(model, version).artifact();
    Path p = dir.resolve(artifact).normalize();
    if (!p.getParent().equals(dir)) {
      throw new StoreException("manifest of " + model + ":" + version + " names artifact '"
          + Names.printable(artifact) + "' outside its version directory");
    }
    return p;
  }

  /**
   * The model's stage transitions, oldest first.
   *
   * @throws NotFoundException if the model does not exist
   */
  public List<HistoryEntry> history(String model) {
    requireModel(model);
    Path file = modelDir(model).resolve(HISTORY);
    try {
      List<HistoryEntry> out = new ArrayList<>();
      for (String line : JsonLines.readCompleteLines(file)) {
        try {
          out.add(HISTORY_READER.readValue(line));
        } catch (JsonProcessingException e) {
          log.warn("{}: skipping unreadable line: {}", file, e.getOriginalMessage());
        }
      }
      return out;
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e, e);
    }
  }

  // ---- atomic primitives ----------------------------------------------------------------------

  /**
   * Creates an empty, uniquely named temp directory {@code <model>/versions/.tmp-<uuid>} to
   * assemble a version in (creating the model directory if needed). Readers never list it.
   */
  public Path createTempVersionDir(String model) {
    requireValidName(model);
    return lock.call(() -> {
      Path dir = versionsDir(model).resolve(TEMP_PREFIX + UUID.randomUUID());
      Files.createDirectories(dir);
      return dir;
    });
  }

  /**
   * Makes a temp directory from {@link #createTempVersionDir} the version {@code version} by an
   * atomic rename, then fsyncs the versions directory.
   *
   * @throws StoreException if the version already exists
   */
  public void installVersion(String model, String version, Path tempDir) {
    requireValidName(model);
    requireTemp(model, tempDir);
    if (!SemVer.isValid(version)) {
      throw new IllegalArgumentException("invalid version '" + Names.printable(version) + "'");
    }
    lock.call(() -> {
      Path target = versionsDir(model).resolve(version);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new StoreException("version " + model + ":" + version + " already exists");
      }
      try {
        Files.move(tempDir, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        throw new StoreException("version " + model + ":" + version + " already exists", e);
      }
      AtomicFiles.fsyncDirectory(versionsDir(model));
      return null;
    });
  }

  /**
   * Deletes a temp directory from {@link #createTempVersionDir}, and the model's directory too if
   * that leaves the model with nothing at all (a failed first registration leaves no trace).
   */
  public void discardTempVersionDir(String model, Path tempDir) {
    requireValidName(model);
    requireTemp(model, tempDir);
    lock.call(() -> {
      AtomicFiles.deleteRecursively(tempDir);
      if (AtomicFiles.deleteIfEmptyDirectory(versionsDir(model))) {
        AtomicFiles.deleteIfEmptyDirectory(modelDir(model));
      }
      return null;
    });
  }

  /** Points a stage pointer at a registered version (relative symlink, atomic replace). */
  public void setStagePointer(String model, Stage stage, String version) {
    requireVersion(model, version);
    String pointer = stage.pointerName();
    lock.call(() -> {
      AtomicFiles.replaceSymlink(modelDir(model).resolve(pointer), Path.of(VERSIONS, version));
      return null;
    });
  }

  /** Removes a stage pointer; absent is fine. */
  public void clearStagePointer(String model, Stage stage) {
    requireModel(model);
    String pointer = stage.pointerName();
    lock.call(() -> {
      if (Files.deleteIfExists(modelDir(model).resolve(pointer))) {
        AtomicFiles.fsyncDirectory(modelDir(model));
      }
      return null;
    });
  }

  /** Appends one line to the model's history.jsonl, durably. */
  public void appendHistory(HistoryEntry entry) {
    Objects.requireNonNull(entry, "entry");
    requireModel(entry.model());
    lock.call(() -> {
      JsonLines.append(modelDir(entry.model()).resolve(HISTORY),
          HISTORY_WRITER.writeValueAsString(entry));
      return null;
    });
  }

  /**
   * Removes a registered version: renames its directory to a hidden temp name (atomic, so the
   * version disappears at once and entirely), then deletes that. A crash in between leaves
   * only a hidden temp directory, which readers never list.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public void removeVersion(String model, String version) {
    requireVersion(model, version);
    lock.call(() -> {
      Path doomed = versionsDir(model).resolve(TEMP_PREFIX + "removed-" + UUID.randomUUID());
      Files.move(versionsDir(model).resolve(version), doomed, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDirectory(versionsDir(model));
      AtomicFiles.deleteRecursively(doomed);
      return null;
    });
  }

  /**
   * Hidden temp directories under the model's versions/ (registrations in progress, or left by
   * a writer that crashed).
   */
  public List<Path> tempVersionDirs(String model) {
    requireModel(model);
    try (Stream<Path> s = Files.list(versionsDir(model))) {
      return s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).sorted().toList();
    } catch (IOException e) {
      throw new StoreException("cannot list versions of " + model + ": " + e, e);
    }
  }

  /** Deletes a hidden temp directory from {@link #tempVersionDirs}; absent is fine. */
  public void deleteTempVersionDir(String model, Path tempDir) {
    requireValidName(model);
    requireTemp(model, tempDir);
    lock.call(() -> {
      AtomicFiles.deleteRecursively(tempDir);
      return null;
    });
  }

  /** The model's directory (which holds versions/, experiments/, pointers and history). */
  public Path modelDirectory(String model) {
    requireValidName(model);
    return modelDir(model);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Path modelDir(String model) {
    return root.resolve(model);
  }

  private Path versionsDir(String model) {
    return modelDir(model).resolve(VERSIONS);
  }

  private void requireModel(String model) {
    if (!hasModel(model)) {
      throw NotFoundException.model(model);
    }
  }

  private void requireVersion(String model, String version) {
    requireModel(model);
    if (!hasVersion(model, version)) {
      throw NotFoundException.version(model, version);
    }
  }

  private static void requireValidName(String model) {
    Objects.requireNonNull(model, "model");
    if (!Names.isValidModelName(model)) {
      throw new IllegalArgumentException("invalid model name '" + Names.printable(model) + "'");
    }
  }

  private void requireTemp(String model, Path tempDir) {
    Objects.requireNonNull(tempDir, "tempDir");
    if (!versionsDir(model).equals(tempDir.getParent())
        || !tempDir.getFileName().toString().startsWith(TEMP_PREFIX)) {
      throw new IllegalArgumentException(tempDir + " is not a temp version directory of "
          + model);
    }
  }

  @Override
  public String toString() {
    return "ModelStore[" + root + "]";
  }
}
