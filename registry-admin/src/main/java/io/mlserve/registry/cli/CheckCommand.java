package io.mlserve.registry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl --store DIR check}: opens the store (which cuts torn last lines off the event log
 * and the histories) and reports what in it resolves outside the store or cannot be served:
 * symlinked model or version directories, links out of the store inside a version, stage
 * pointers that do not hold a registered version. Exit 0 when there is nothing to report, 1 when
 * there is; the store is not changed otherwise. Works on a store directory only.
 */
@Command(name = "check", description = "Check a store for links out of it and broken pointers"
    + " (with --store).")
final class CheckCommand implements Callable<Integer> {
  @ParentCommand MlctlMain main;

  @Override
  public Integer call() throws Exception {
    if (main.server != null) {
      throw new IllegalArgumentException("check works on a store directory: give --store DIR");
    }
    Output out = main.output();
    Path dir = main.store != null ? main.store
        : Path.of(System.getenv().getOrDefault("MLSERVE_STORE", "models"));
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("store " + dir + " does not exist");
    }
    List<String> problems;
    try (EventLog ignored = EventLog.open(dir)) {
      problems = ModelStore.open(dir).check();
    }
    if (out.json()) {
      out.line(new ObjectMapper().writeValueAsString(Map.of("problems", problems)));
    } else if (problems.isEmpty()) {
      out.line("store " + dir + ": no problems found");
    } else {
      problems.forEach(out::line);
      out.line(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " found");
    }
    return problems.isEmpty() ? 0 : 1;
  }
}
