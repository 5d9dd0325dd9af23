package io.mlserve.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds what in a store resolves outside it or cannot be served: model, versions or version
 * directories that are symlinks, links inside a version that leave the store, stage pointers
 * that do not hold {@code versions/<version>} of a registered version, unreadable manifests,
 * deployment records that do not parse or whose split names a version that does not exist or
 * gives traffic to an Archived one.
 * Reports name paths relative to the store, never the server's absolute path. Reads only, never
 * follows a link into a directory. Not thread-safe; one instance per check.
 */
final class StoreCheck {
  private final ModelStore store;
  private final Path realRoot;
  private final List<String> problems = new ArrayList<>();

  StoreCheck(ModelStore store, Path realRoot) {
    this.store = store;
    this.realRoot = realRoot;
  }

  /**
   * The first link under {@code dir} (or {@code dir} itself) that resolves outside
   * {@code realRoot} or nowhere, as a path relative to {@code dir}; null if there is none.
   * Walks without following links.
   */
  static String linkOutside(Path realRoot, Path dir) {
    String[] found = new String[1];
    try {
      if (!dir.toRealPath().startsWith(realRoot)) {
        return ".";
      }
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isSymbolicLink() && !resolvesInside(realRoot, file)) {
            found[0] = dir.relativize(file).toString();
            return FileVisitResult.TERMINATE;
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new StoreException("cannot read a version directory: " + IoErrors.reason(e), e);
    }
    return found[0];
  }

  private static boolean resolvesInside(Path realRoot, Path link) {
    try {
      return link.toRealPath().startsWith(realRoot);
    } catch (IOException broken) {
      return false;
    }
  }

  List<String> problems() {
    try (Stream<Path> s = Files.list(store.root())) {
      for (Path dir : s.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (Names.isValidModelName(name)) {
          checkModel(name, dir);
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot list the store: " + IoErrors.reason(e), e);
    }
    return List.copyOf(problems);
  }

  private void checkModel(String model, Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      problems.add(model + ": the model directory is a symlink; it is not served");
      return;
    }
    Path versions = dir.resolve("versions");
    if (Files.isSymbolicLink(versions)) {
      problems.add(model + "/versions: is a symlink; the model is not served");
      return;
    }
    if (!ModelStore.isRealDirectory(dir) || !ModelStore.isRealDirectory(versions)) {
      return;
    }
    try (Stream<Path> s = Files.list(versions)) {
      for (Path v : s.sorted().toList()) {
        String name = v.getFileName().toString();
        String rel = model + "/versions/" + Names.printable(name);
        if (Files.isSymbolicLink(v)) {
          problems.add(rel + ": is a symlink" + (resolvesInside(realRoot, v) ? ""
              : " that resolves outside the store") + "; it is not served");
        } else if (SemVer.isValid(name) && ModelStore.isRealDirectory(v)) {
          checkVersion(model, name, rel, v);
        }
      }
    }
    for (Stage stage : Stage.values()) {
      if (stage.hasPointer()) {
        checkPointer(model, dir.resolve(stage.pointerName()));
      }
    }
    checkDeployment(model);
  }

  private void checkDeployment(String model) {
    TrafficSplit split;
    try {
      split = DeploymentStore.read(store.root(), model).map(Deployment::split).orElse(null);
    } catch (StoreException e) {
      problems.add(e.getMessage());
      return;
    }
    if (split == null) {
      return;
    }
    String rel = model + "/" + DeploymentStore.FILE_NAME + ": ";
    for (String v : split.versions()) {
      if (!store.hasVersion(model, v)) {
        problems.add(rel + "the split names " + v + ", which is not a registered version");
      } else if (split.weight(v) > 0
          && VersionStages.stageOf(store, model, v) == Stage.ARCHIVED) {
        problems.add(rel + v + " is Archived but takes " + TrafficSplit.format(split.weight(v))
            + "% of the traffic");
      }
    }
  }

  private void checkVersion(String model, String version, String rel, Path dir) {
    String escaping = linkOutside(realRoot, dir);
    if (escaping != null) {
      problems.add(rel + ": holds a link that resolves outside the store ("
          + Names.printable(escaping) + "); the version is refused");
      return;
    }
    try {
      store.artifactPath(model, version);
    } catch (StoreException e) {
      problems.add(rel + ": " + e.getMessage());
    }
  }

  private void checkPointer(String model, Path link) throws IOException {
    String rel = model + "/" + link.getFileName();
    if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isSymbolicLink(link)) {
      problems.add(rel + ": is not a symlink; expected versions/<version>");
      return;
    }
    Path target = Files.readSymbolicLink(link);
    if (!ModelStore.isVersionLink(target)) {
      problems.add(rel + ": points outside versions/<version>; it is refused");
    } else if (!store.hasVersion(model, target.getName(1).toString())) {
      problems.add(rel + ": points at " + Names.printable(target.toString())
          + ", which is not a registered version");
    }
  }
}
