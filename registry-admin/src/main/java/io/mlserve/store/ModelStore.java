package io.mlserve.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
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
 * (which also keeps paths from escaping the store).
 *
 * <p>Nothing read through this class resolves outside the store: a model directory, versions
 * directory or version directory that is a symlink is not listed, and a version holding a link
 * that resolves outside the store is refused ({@link #versionDir}); {@link StoreCheck} reports
 * them. Every mutating primitive registers its undo with the lock, so a failed locked section
 * leaves no trace. This class is thread-safe.
 */
public final class ModelStore {
  private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
  private static final String VERSIONS = "versions";
  private static final String MANIFEST = "model.json";
  private static final String HISTORY = "history.jsonl";
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path root;
  private final Path realRoot;
  private final StoreLock lock;
  private final AtomicFiles files;

  private ModelStore(Path root, Path realRoot, StoreLock lock, AtomicFiles files) {
    this.root = root;
    this.realRoot = realRoot;
    this.lock = lock;
    this.files = files;
  }

  /**
   * Opens the store at {@code root}, creating the directory if absent, and cuts torn last lines
   * (a write interrupted by a crash or a full disk) off the models' history files.
   */
  public static ModelStore open(Path root) {
    return open(root, FileOps.DEFAULT);
  }

  /** As {@link #open(Path)}, writing through {@code ops} (tests inject failing disks). */
  public static ModelStore open(Path root, FileOps ops) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(ops, "ops");
    createRoot(root);
    Path abs = root.toAbsolutePath().normalize();
    Path real;
    try {
      real = abs.toRealPath();
    } catch (IOException e) {
      throw new StoreException("cannot open the store: " + IoErrors.reason(e), e);
    }
    ModelStore store = new ModelStore(abs, real, StoreLock.forRoot(abs), new AtomicFiles(ops));
    store.lock.call(() -> {
      for (String model : store.modelNames()) {
        JsonLines.repairTail(store.modelDir(model).resolve(HISTORY));
      }
      return null;
    });
    return store;
  }

  static void createRoot(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StoreException("cannot create the store directory: " + IoErrors.reason(e), e);
    }
  }

  /** The crash-safe file primitives this store writes with. */
  public AtomicFiles files() {
    return files;
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
          .filter(p -> isRealDirectory(p) && isRealDirectory(p.resolve(VERSIONS)))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list the store: " + IoErrors.reason(e), e);
    }
  }

  /** Whether the model exists (has a versions/ directory). */
  public boolean hasModel(String model) {
    Objects.requireNonNull(model, "model");
    return Names.isValidModelName(model) && isRealDirectory(modelDir(model))
        && isRealDirectory(versionsDir(model));
  }

  /**
   * The model's registered versions in semver order (oldest first); in-progress temp directories
   * and symlinks are not versions.
   *
   * @throws NotFoundException if the model does not exist
   */
  public List<String> versions(String model) {
    requireModel(model);
    try (Stream<Path> s = Files.list(versionsDir(model))) {
      return s.filter(ModelStore::isRealDirectory)
          .map(p -> p.getFileName().toString())
          .filter(SemVer::isValid)
          .map(SemVer::parse)
          .sorted()
          .map(SemVer::toString)
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list versions of " + model + ": " + IoErrors.reason(e),
          e);
    }
  }

  /** Whether the version exists (as a directory of the store, not a symlink). */
  public boolean hasVersion(String model, String version) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    return Names.isValidModelName(model) && SemVer.isValid(version)
        && isRealDirectory(versionsDir(model).resolve(version));
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
      throw new StoreException(model + "/" + stage.pointerName() + " is not a symlink; expected "
          + VERSIONS + "/<version>");
    } catch (IOException e) {
      throw new StoreException("cannot read " + model + "/" + stage.pointerName() + ": "
          + IoErrors.reason(e), e);
    }
    if (!isVersionLink(target)) {
      throw new StoreException(model + "/" + stage.pointerName() + " points outside "
          + VERSIONS + "/<version>; refusing it");
    }
    return Optional.of(target.getName(1).toString());
  }

  /**
   * The directory of a registered version.
   *
   * @throws NotFoundException if the model or version does not exist
   * @throws StoreException if the version holds a link that resolves outside the store
   */
  public Path versionDir(String model, String version) {
    requireVersion(model, version);
    Path dir = versionsDir(model).resolve(version);
    String escaping = StoreCheck.linkOutside(realRoot, dir);
    if (escaping != null) {
      throw new StoreException("version " + model + ":" + version + " holds a link that"
          + " resolves outside the store (" + Names.printable(escaping) + "); refusing it");
    }
    return dir;
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
    if (!dir.equals(p.getParent())) {
      throw new StoreException("manifest of " + model + ":" + version + " names artifact '"
          + Names.printable(artifact) + "' outside its version directory");
    }
    return p;
  }

  /**
   * The model's stage transitions and traffic changes, oldest first.
   *
   * @throws NotFoundException if the model does not exist
   */
  public List<HistoryEntry> history(String model) {
    requireModel(model);
    return HistoryFile.read(modelDir(model).resolve(HISTORY), model);
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
      boolean newModel = !Files.exists(modelDir(model), LinkOption.NOFOLLOW_LINKS);
      try {
        files.createDirectories(dir);
      } catch (IOException | RuntimeException e) {
        AtomicFiles.deleteQuietly(newModel ? modelDir(model) : dir);
        throw e;
      }
      return dir;
    });
  }

  /**
   * Makes a temp directory from {@link #createTempVersionDir} the version {@code version} by an
   * atomic rename, then fsyncs the versions directory. If the enclosing locked section fails
   * after this, the version is renamed back to its temp name.
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
        files.move(tempDir, target);
      } catch (FileAlreadyExistsException e) {
        throw new StoreException("version " + model + ":" + version + " already exists", e);
      }
      lock.onFailure(() -> Files.move(target, tempDir));
      files.fsyncDirectory(versionsDir(model));
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

  /**
   * Points a stage pointer at a registered version (relative symlink, atomic replace). This is
   * a commit point ({@link StoreLock#committed}): once the pointer has moved, the enclosing
   * section's earlier changes stand.
   */
  public void setStagePointer(String model, Stage stage, String version) {
    versionDir(model, version);
    Path link = modelDir(model).resolve(stage.pointerName());
    Path target = Path.of(VERSIONS, version);
    lock.call(() -> {
      files.replaceSymlink(link, target);
      lock.committed();
      return null;
    });
  }

  /**
   * Removes a stage pointer; absent is fine. Removing one is a commit point
   * ({@link StoreLock#committed}).
   */
  public void clearStagePointer(String model, Stage stage) {
    requireModel(model);
    String pointer = stage.pointerName();
    lock.call(() -> {
      if (Files.deleteIfExists(modelDir(model).resolve(pointer))) {
        lock.committed();
        files.syncAfterCommit(modelDir(model));
      }
      return null;
    });
  }

  /**
   * Appends one line to the model's history.jsonl, durably, stamped with {@code seq}: the seq
   * of the event that the same change appends next (so {@link #dropHistoryAfter} can tell a line
   * whose event never made it). Truncated away again if the enclosing locked section fails.
   */
  public void appendHistory(HistoryEntry entry, long seq) {
    Objects.requireNonNull(entry, "entry");
    requireModel(entry.model());
    HistoryFile.append(files, lock, modelDir(entry.model()).resolve(HISTORY), entry, seq);
  }

  /**
   * Cuts trailing history lines stamped with a seq above {@code lastSeq}: lines of a change
   * whose writer was killed before its event was durable (so the change did not happen). Needs
   * no free space. Call holding the lock.
   */
  public void dropHistoryAfter(String model, long lastSeq) {
    requireModel(model);
    HistoryFile.dropAfter(lock, modelDir(model).resolve(HISTORY), model, lastSeq);
  }

  /**
   * Removes a registered version: renames its directory to a hidden temp name (atomic, so the
   * version disappears at once and entirely; a commit point), then deletes that. A crash in
   * between leaves only a hidden temp directory, which readers never list. The directory is
   * renamed, never followed, so a link in it is removed, not what it points at.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public void removeVersion(String model, String version) {
    requireVersion(model, version);
    lock.call(() -> {
      Path doomed = versionsDir(model).resolve(TEMP_PREFIX + "removed-" + UUID.randomUUID());
      files.move(versionsDir(model).resolve(version), doomed);
      lock.committed();
      files.syncAfterCommit(versionsDir(model));
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
      throw new StoreException("cannot list versions of " + model + ": " + IoErrors.reason(e),
          e);
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

  /**
   * What in the store resolves outside it or is broken: links out of the store, symlinked model
   * or version directories, stage pointers that do not hold a version. Empty when all is well.
   */
  public List<String> check() {
    return new StoreCheck(this, realRoot).problems();
  }

  // ---- helpers --------------------------------------------------------------------------------

  static boolean isRealDirectory(Path p) {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether a pointer's target is {@code versions/<semver>}, relative. */
  static boolean isVersionLink(Path target) {
    return target.getNameCount() == 2 && !target.isAbsolute()
        && target.getName(0).toString().equals(VERSIONS)
        && SemVer.isValid(target.getName(1).toString());
  }

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
