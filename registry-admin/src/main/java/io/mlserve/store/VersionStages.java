package io.mlserve.store;

import java.util.List;

/**
 * The current stage of a version, read from the store: Production or Staging if a pointer
 * holds it, else the last stage its history records, else Development. Shared by the registry
 * and {@link StoreCheck}. Stateless.
 */
public final class VersionStages {
  private VersionStages() {}

  /**
   * The current stage of {@code version}.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public static Stage stageOf(ModelStore store, String model, String version) {
    if (!store.hasVersion(model, version)) {
      throw store.hasModel(model) ? NotFoundException.version(model, version)
          : NotFoundException.model(model);
    }
    if (store.stageVersion(model, Stage.PRODUCTION).filter(version::equals).isPresent()) {
      return Stage.PRODUCTION;
    }
    if (store.stageVersion(model, Stage.STAGING).filter(version::equals).isPresent()) {
      return Stage.STAGING;
    }
    List<HistoryEntry> history = store.history(model);
    for (int i = history.size() - 1; i >= 0; i--) {
      HistoryEntry e = history.get(i);
      if (e.version().equals(version)) {
        Stage s;
        try {
          s = Stage.parse(e.toStage());
        } catch (IllegalArgumentException unknown) {
          continue; // "Deleted" (a removed earlier version of the same name)
        }
        // A pointer stage the pointer no longer confirms: a crash between moving the pointer
        // and writing the displaced version's history line. Answer what that line would say.
        return s == Stage.PRODUCTION ? Stage.DEPRECATED
            : s == Stage.STAGING ? Stage.DEVELOPMENT : s;
      }
    }
    return Stage.DEVELOPMENT;
  }
}
