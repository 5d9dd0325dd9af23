package io.mlserve.server.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The server's packages form no cycle: the JDK's {@code jdeps} lists which package of the
 * compiled main classes uses which, and the strongly connected components of that graph must
 * all be single packages. Also pins the layering the design names: the serving core imports no
 * transport.
 */
class PackageCyclesTest {
  private static final String ROOT = "io.mlserve.server";

  private static Map<String, Set<String>> graph() {
    Path classes = Path.of("target/classes");
    assertTrue(Files.isDirectory(classes), "run after compile: " + classes.toAbsolutePath());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
        "-verbose:package", "-filter:none", classes.toString());
    assertEquals(0, rc, out.toString());
    Map<String, Set<String>> g = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith(ROOT)) {
        g.computeIfAbsent(parts[0], k -> new TreeSet<>());
        if (parts[2].startsWith(ROOT) && !parts[2].equals(parts[0])) {
          g.get(parts[0]).add(parts[2]);
        }
      }
    }
    assertTrue(g.size() > 10, "jdeps listed too few packages: " + g.keySet());
    return g;
  }

  @Test
  void noPackageCycle() {
    Map<String, Set<String>> g = graph();
    List<List<String>> cycles = new ArrayList<>();
    // Tarjan's strongly connected components, iteratively small enough to recurse.
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new HashSet<>();
    int[] counter = {0};
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, g, index, low, stack, onStack, counter, cycles);
      }
    }
    assertEquals(List.of(), cycles, "package cycles");
  }

  @Test
  void theServingCoreImportsNoTransport() {
    Map<String, Set<String>> g = graph();
    for (String core : List.of("serving", "batch", "model", "engine", "core", "bulk", "json",
        "experiment")) {
      for (String used : g.getOrDefault(ROOT + "." + core, Set.of())) {
        assertTrue(!used.startsWith(ROOT + ".http") && !used.startsWith(ROOT + ".grpc")
            && !used.startsWith(ROOT + ".netty"), core + " uses " + used);
      }
    }
  }

  private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] counter,
      List<List<String>> cycles) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, g, index, low, stack, onStack, counter, cycles);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        component.sort(null);
        cycles.add(component);
      }
    }
  }
}
