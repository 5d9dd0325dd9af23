package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What mlctl says when something is wrong, and that every command explains itself. */
class MlctlMessagesTest {
  @TempDir Path tmp;



  private Mlctl.Result onStore(String... args) {
    List<String> all = new ArrayList<>(List.of("--store", tmp.resolve("store").toString()));
    all.addAll(List.of(args));
    return Mlctl.run(all.toArray(String[]::new));
  }

  @Test
  void aMissingFileIsNamedAsSuch() throws Exception {
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[] {1, 2, 3});
    Mlctl.Result r = onStore("register", "--model", "m", "--version", "1.0.0", "--artifact",
        artifact.toString(), "--description-file", "card.md");
    assertEquals(1, r.code(), r.out());
    assertEquals("mlctl: file not found: card.md", r.err().strip());
    r = onStore("register", "--model", "m", "--version", "1.0.0", "--artifact",
        tmp.resolve("nope.pt").toString());
    assertEquals("mlctl: file not found: " + tmp.resolve("nope.pt"), r.err().strip());
  }

  @Test
  void anUnreachableServerIsNamedWithTheReason() throws Exception {
    int port = Mlctl.closedPort();
    Mlctl.Result r = Mlctl.run("--server", "127.0.0.1:" + port, "list");
    assertEquals(1, r.code(), r.out());
    assertEquals("mlctl: cannot reach the admin server at 127.0.0.1:" + port
        + ": connection refused", r.err().strip());
  }

  @Test
  void everyCommandAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new MlctlMain()), new ArrayList<>(), paths);
    assertTrue(paths.size() > 15, paths.toString());
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Mlctl.Result r = Mlctl.run(args.toArray(String[]::new));
      assertEquals(0, r.code(), path + ": " + r.err());
      assertTrue(r.out().startsWith("Usage: mlctl" + (path.isEmpty() ? "" : " "
          + String.join(" ", path))), path + ": " + r.out());
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(sub.getKey());
      collect(sub.getValue(), p, out);
    }
  }

  @Test
  void runsTakeTheirIdsAsArgumentsOrOptions() {
    String a = onStore("run", "create", "--model", "m", "--name", "a").out().strip();
    String b = onStore("run", "create", "--model", "m", "--name", "b").out().strip();
    Mlctl.Result byArg = onStore("runs", "show", "--model", "m", a);
    assertEquals(0, byArg.code(), byArg.err());
    assertTrue(byArg.out().startsWith("run " + a + " of m (a)"), byArg.out());
    assertEquals(byArg, onStore("runs", "show", "--model", "m", "--run", a));

    Mlctl.Result compare = onStore("runs", "compare", "--model", "m", a, b);
    assertEquals(0, compare.code(), compare.err());
    assertEquals(compare, onStore("runs", "compare", "--model", "m", "--run", a, "--run", b));
    assertEquals(compare, onStore("runs", "compare", "--model", "m", "--run", a, b));

    Mlctl.Result one = onStore("runs", "compare", "--model", "m", a);
    assertEquals(1, one.code());
    assertTrue(one.err().startsWith("mlctl: give two or more runs"), one.err());
    Mlctl.Result none = onStore("runs", "show", "--model", "m");
    assertEquals(1, none.code());
    assertTrue(none.err().startsWith("mlctl: give one run"), none.err());
  }
}
