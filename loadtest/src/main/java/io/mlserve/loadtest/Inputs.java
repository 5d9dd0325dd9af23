package io.mlserve.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where input rows come from: generated (pseudo-random, fixed by a seed, so two runs send the
 * same bytes) or read from a JSONL file with one request per line,
 * {@code {"model": "curve_forecaster", "input": [60.1, 61.0, ...]}} ({@code model} may be left
 * out when the run has one model). Stateless; thread-safe.
 */
final class Inputs {
  static final long SEED = 20240601L;

  private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern INPUT = Pattern.compile("\"(?:input|inputs|instances)\"\\s*:\\s*");
  private static final Pattern NUMBER =
      Pattern.compile("-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

  private Inputs() {}

  /** {@code count} rows of {@code features} values shaped like forward curves, in [45, 75). */
  static List<float[]> generated(int features, int count) {
    SplittableRandom random = new SplittableRandom(SEED);
    List<float[]> rows = new ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      float[] row = new float[features];
      for (int i = 0; i < features; i++) {
        row[i] = (float) (45.0 + 30.0 * random.nextDouble());
      }
      rows.add(row);
    }
    return rows;
  }

  /**
   * Rows by model from a JSONL file; lines without a model go to {@code defaultModel}. Blank lines
   * are skipped; a line without an input array is an error naming the line.
   */
  static Map<String, List<float[]>> readJsonl(Path file, String defaultModel) throws IOException {
    Map<String, List<float[]>> byModel = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).trim();
      if (line.isEmpty()) {
        continue;
      }
      Matcher model = MODEL.matcher(line);
      String name = model.find() ? model.group(1) : defaultModel;
      Matcher input = INPUT.matcher(line);
      if (!input.find()) {
        throw new IllegalArgumentException(file + ":" + (n + 1) + ": no \"input\" array");
      }
      float[] row = numbers(line, input.end());
      if (row.length == 0) {
        throw new IllegalArgumentException(file + ":" + (n + 1) + ": empty input");
      }
      byModel.computeIfAbsent(name, k -> new ArrayList<>()).add(row);
    }
    return byModel;
  }

  /** The numbers of the (possibly nested) array starting at {@code from}, flattened. */
  private static float[] numbers(String line, int from) {
    int depth = 0;
    int end = from;
    for (; end < line.length(); end++) {
      char c = line.charAt(end);
      if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        break;
      }
    }
    Matcher m = NUMBER.matcher(line.substring(from, Math.min(end, line.length())));
    List<Float> values = new ArrayList<>();
    while (m.find()) {
      values.add(Float.parseFloat(m.group()));
    }
    float[] row = new float[values.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = values.get(i);
    }
    return row;
  }
}
