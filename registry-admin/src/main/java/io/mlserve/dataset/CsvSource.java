package io.mlserve.dataset;

import com.fasterxml.jackson.core.io.NumberInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a CSV dataset for a model with one input: a header row, then one row a line; the label
 * column {@code label}, or columns {@code label_0} to {@code label_<k>} (anywhere in the row);
 * every other column is one of the input's values, in order, as many as its row holds. Values
 * are numbers, optionally in double quotes; no value may be empty. Blank lines may end the
 * file, nowhere else. Streams: one line and one batch in memory. Not thread-safe.
 */
final class CsvSource implements DatasetSource {
  private static final Pattern LABEL_I = Pattern.compile("label_(\\d+)");

  private final LineReader lines;
  private final DatasetSchema schema;
  private final BatchBuilder batch;
  private final long totalRows;
  private final int columns;
  /** Per column: the label index (>= 0), or -1 - the feature index. */
  private final int[] role;
  private final String[] header;
  private final double[] label;

  CsvSource(InputStream in, DatasetSchema schema, DatasetLimits limits, long totalRows)
      throws IOException {
    if (schema.inputs().size() != 1) {
      throw new BadDatasetException("CSV holds one input, and the model has "
          + schema.inputs().size() + " (" + schema.namesText() + "); use JSONL or npz");
    }
    this.lines = new LineReader(in, limits.maxLineBytes());
    this.schema = schema;
    this.totalRows = totalRows;
    try {
      if (!lines.next() || lines.isBlank()) {
        throw new BadDatasetException("line 1: the header row is missing (a CSV dataset starts"
            + " with its column names)");
      }
      this.header = split(new String(lines.bytes(), 0, lines.length(),
          StandardCharsets.UTF_8)).toArray(String[]::new);
      this.columns = header.length;
      this.role = new int[columns];
      int labels = roles(limits);
      this.label = new double[labels];
      this.batch = new BatchBuilder(schema.withLabelWidth(labels), limits.maxLabelWidth());
    } catch (IOException | RuntimeException e) {
      lines.close();
      throw e;
    }
  }

  /** Sets each column's role; returns the label width. */
  private int roles(DatasetLimits limits) {
    DatasetInput in = schema.inputs().get(0);
    boolean single = false;
    List<Integer> indexed = new ArrayList<>();
    int features = 0;
    for (int c = 0; c < columns; c++) {
      String name = header[c].trim();
      var m = LABEL_I.matcher(name);
      if (name.isEmpty()) {
        throw new BadDatasetException("line 1: column " + (c + 1) + " has no name"
            + (c == 0 ? " (pandas writes its index so: save with to_csv(index=False))" : ""));
      } else if (name.equals("label")) {
        single = true;
        role[c] = 0;
      } else if (m.matches()) {
        int k = Integer.parseInt(m.group(1).length() > 7 ? "9999999" : m.group(1));
        indexed.add(k);
        role[c] = k;
      } else {
        role[c] = -1 - features++;
      }
    }
    if (single && !indexed.isEmpty()) {
      throw new BadDatasetException("line 1: the header has both 'label' and 'label_<i>'"
          + " columns; use one or the other");
    }
    int width = single ? 1 : indexed.size();
    if (width == 0) {
      throw new BadDatasetException("line 1: no label column; name it 'label' (or 'label_0',"
          + " 'label_1', ... for several values)");
    }
    if (width > limits.maxLabelWidth()) {
      throw new BadDatasetException("line 1: " + width + " label columns; at most "
          + limits.maxLabelWidth() + " are allowed");
    }
    boolean[] have = new boolean[width];
    for (int k : indexed) {
      if (k >= width || have[k]) {
        throw new BadDatasetException("line 1: label columns must be label_0 to label_"
            + (width - 1) + ", each once");
      }
      have[k] = true;
    }
    if (features != in.elements()) {
      throw new BadDatasetException("line 1: " + features + " feature columns, but input '"
          + in.name() + "' of shape " + in.shapeText() + " takes " + in.elements()
          + " values a row");
    }
    if (schema.labelWidth() != 0 && schema.labelWidth() != width) {
      throw new BadDatasetException("line 1: " + width + " label columns; the dataset was"
          + " recorded with " + schema.labelWidth());
    }
    return width;
  }

  @Override
  public DatasetBatch next(int maxRows) throws IOException {
    batch.begin(maxRows);
    ElementType type = batch.type(0);
    while (!batch.isFull() && lines.nextData()) {
      try {
        row(type);
      } catch (RowException e) {
        throw new BadDatasetException("line " + lines.number() + ": " + e.getMessage());
      }
    }
    return batch.build();
  }

  private void row(ElementType type) {
    batch.beginRow();
    ByteBuffer out = batch.input(0);
    byte[] b = lines.bytes();
    int len = lines.length();
    int c = 0;
    int start = 0;
    for (int i = 0; i <= len; i++) {
      if (i < len && b[i] != ',') {
        continue;
      }
      if (c == columns) {
        throw new RowException("more than the header's " + columns + " columns");
      }
      String cell = cell(b, start, i);
      int r = role[c];
      if (r >= 0) {
        double v = number(cell, c);
        if (!Double.isFinite(v)) {
          throw new RowException("label is " + ElementType.text(v) + "; labels must be"
              + " finite");
        }
        label[r] = v;
      } else {
        double v = number(cell, c);
        try {
          type.putDouble(out, v);
        } catch (RowException e) {
          throw new RowException("column '" + header[c].trim() + "': " + e.getMessage());
        }
      }
      c++;
      start = i + 1;
    }
    if (c != columns) {
      throw new RowException(c + " columns, the header has " + columns);
    }
    batch.endRow(label, label.length);
  }

  private static String cell(byte[] b, int from, int to) {
    while (from < to && (b[from] == ' ' || b[from] == '\t')) {
      from++;
    }
    while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
      to--;
    }
    if (to - from >= 2 && b[from] == '"' && b[to - 1] == '"') {
      from++;
      to--;
    }
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private double number(String cell, int column) {
    if (cell.isEmpty()) {
      throw new RowException("column '" + header[column].trim() + "' is empty");
    }
    char first = cell.charAt(0);
    if ((first >= '0' && first <= '9') || first == '-' || first == '.' || first == '+') {
      try {
        return NumberInput.parseDouble(cell, true);
      } catch (NumberFormatException e) {
        // below
      }
    }
    return switch (cell) {
      case "nan", "NaN", "NAN" -> Double.NaN;
      case "inf", "Infinity", "+inf", "+Infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> throw new RowException("non-numeric value \"" + (cell.length() > 40
          ? cell.substring(0, 40) + "..." : cell) + "\" in column '" + header[column].trim()
          + "'");
    };
  }

  /** The header's column names (quotes removed). */
  private static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    for (String s : line.split(",", -1)) {
      String t = s.trim();
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
        t = t.substring(1, t.length() - 1);
      }
      out.add(t);
    }
    return out;
  }

  @Override
  public long totalRows() {
    return totalRows;
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
