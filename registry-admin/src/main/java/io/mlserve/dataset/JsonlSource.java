package io.mlserve.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a JSONL dataset: one object a line, {@code {"input": [...], "label": ...}} for a model
 * with one input, or {@code {"inputs": {"name": [...], ...}, "label": ...}} (for any model).
 * An input's value is one row, flat or nested as its row shape; a label is a number or an
 * array (its values flattened). Other keys are ignored. Blank lines may end the file, nowhere
 * else. {@code NaN}/{@code Infinity}, as Python's json module writes them, are read so that the
 * refusal can say so. Streams: one line and one batch in memory. Not thread-safe.
 */
final class JsonlSource implements DatasetSource {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
      .build();
  private static final int MAX_DEPTH = 32;

  private final LineReader lines;
  private final DatasetSchema schema;
  private final BatchBuilder batch;
  private final long totalRows;
  private final int maxLabelWidth;
  private final boolean[] seen;
  private final int[] dims = new int[MAX_DEPTH];
  private double[] label = new double[16];
  private int labelCount;

  JsonlSource(InputStream in, DatasetSchema schema, DatasetLimits limits, long totalRows) {
    this.lines = new LineReader(in, limits.maxLineBytes());
    this.schema = schema;
    this.batch = new BatchBuilder(schema, limits.maxLabelWidth());
    this.totalRows = totalRows;
    this.maxLabelWidth = limits.maxLabelWidth();
    this.seen = new boolean[schema.inputs().size()];
  }

  @Override
  public DatasetBatch next(int maxRows) throws IOException {
    batch.begin(maxRows);
    while (!batch.isFull() && lines.nextData()) {
      try {
        row();
      } catch (RowException e) {
        throw new BadDatasetException("line " + lines.number() + ": " + e.getMessage());
      } catch (JsonProcessingException e) {
        throw new BadDatasetException("line " + lines.number() + ": not valid JSON"
            + (e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr())
            + " (" + jsonReason(e) + ")");
      }
    }
    return batch.build();
  }

  /** Jackson's reason without its source location and hints. */
  private static String jsonReason(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    for (String cut : new String[] {" (start marker", "\n", ": was expecting"}) {
      int i = m.indexOf(cut);
      if (i > 0) {
        m = m.substring(0, i);
      }
    }
    return m;
  }

  private void row() throws IOException {
    try (JsonParser p = JSON.createParser(lines.bytes(), 0, lines.length())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new RowException("not a JSON object; each line must be {\"input\": [...],"
            + " \"label\": ...}");
      }
      batch.beginRow();
      Arrays.fill(seen, false);
      labelCount = -1;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "input" -> {
            if (schema.inputs().size() > 1) {
              throw new RowException("the model has " + schema.inputs().size() + " inputs ("
                  + schema.namesText() + "); give them as \"inputs\": {\"name\": [...], ...}");
            }
            input(p, 0);
          }
          case "inputs" -> inputs(p);
          case "label" -> label(p);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new RowException("not a JSON object");
      }
      if (p.nextToken() != null) {
        throw new RowException("text after the JSON object");
      }
      for (int i = 0; i < seen.length; i++) {
        if (!seen[i]) {
          throw new RowException(schema.inputs().size() == 1 ? "missing \"input\""
              : "missing input '" + schema.inputs().get(i).name() + "' in \"inputs\"");
        }
      }
      if (labelCount < 0) {
        throw new RowException("missing \"label\"");
      }
      batch.endRow(label, labelCount);
    }
  }

  private void inputs(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new RowException("\"inputs\" must be an object of input name to values");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      int i = schema.indexOf(name);
      if (i < 0) {
        throw new RowException("\"inputs\" names '" + name + "', which is not an input of the"
            + " model (inputs: " + schema.namesText() + ")");
      }
      p.nextToken();
      input(p, i);
    }
  }

  /** Reads input {@code i}'s value at the current token into the batch. */
  private void input(JsonParser p, int i) throws IOException {
    if (seen[i]) {
      throw new RowException("input '" + schema.inputs().get(i).name() + "' is given twice");
    }
    seen[i] = true;
    DatasetInput in = schema.inputs().get(i);
    ElementType type = batch.type(i);
    ByteBuffer out = batch.input(i);
    int max = in.elements();
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY) {
      if (!in.shape().isEmpty()) {
        throw new RowException("input '" + in.name() + "' is a single value; its shape is "
            + in.shapeText());
      }
      element(p, type, out, in, 0);
      return;
    }
    Arrays.fill(dims, -1);
    int[] state = {0, -1}; // elements seen, depth of the numbers
    walk(p, 0, state, in, type, out, max);
    int count = state[0];
    if (count != max) {
      throw new RowException("wrong length " + count + " for input '" + in.name()
          + "' of shape " + in.shapeText());
    }
    int depth = state[1];
    if (depth > 1 || in.shape().isEmpty() && depth > 0) {
      boolean nestedAsShape = depth == in.shape().size();
      for (int d = 0; nestedAsShape && d < depth; d++) {
        nestedAsShape = dims[d] == in.shape().get(d);
      }
      if (!nestedAsShape && !(in.shape().isEmpty() && depth == 1)) {
        throw new RowException("input '" + in.name() + "' is nested as "
            + Arrays.toString(Arrays.copyOf(dims, depth)) + "; its shape is " + in.shapeText()
            + " (give it flat or nested as its shape)");
      }
    }
  }

  /** Walks the array at the current token; state = {elements, depth of the numbers}. */
  private void walk(JsonParser p, int depth, int[] state, DatasetInput in, ElementType type,
      ByteBuffer out, int max) throws IOException {
    if (depth >= MAX_DEPTH) {
      throw new RowException("input '" + in.name() + "' is nested too deeply");
    }
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_ARRAY) {
        if (state[1] >= 0 && state[1] <= depth + 1) {
          throw ragged(in);
        }
        walk(p, depth + 1, state, in, type, out, max);
      } else {
        if (state[1] < 0) {
          state[1] = depth + 1;
        } else if (state[1] != depth + 1) {
          throw ragged(in);
        }
        if (state[0] < max) {
          element(p, type, out, in, state[0]);
        } else if (!t.isScalarValue()) {
          throw new RowException("input '" + in.name() + "': " + nonNumeric(p).getMessage());
        }
        state[0]++;
      }
      n++;
    }
    if (dims[depth] < 0) {
      dims[depth] = n;
    } else if (dims[depth] != n) {
      throw new RowException("input '" + in.name() + "' is ragged: arrays of " + dims[depth]
          + " and " + n + " values at one level");
    }
  }

  private static RowException ragged(DatasetInput in) {
    return new RowException("input '" + in.name() + "' is ragged: numbers and arrays at one"
        + " level");
  }

  private static void element(JsonParser p, ElementType type, ByteBuffer out, DatasetInput in,
      int index) throws IOException {
    try {
      switch (p.currentToken()) {
        case VALUE_NUMBER_INT -> {
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new RowException(p.getText() + " is too large");
          }
          type.putLong(out, p.getLongValue());
        }
        case VALUE_NUMBER_FLOAT -> type.putDouble(out, p.getDoubleValue());
        case VALUE_TRUE, VALUE_FALSE -> {
          if (type != ElementType.BOOL) {
            throw nonNumeric(p);
          }
          type.putLong(out, p.currentToken() == JsonToken.VALUE_TRUE ? 1 : 0);
        }
        default -> throw nonNumeric(p);
      }
    } catch (RowException e) {
      throw new RowException("input '" + in.name() + "'[" + index + "]: " + e.getMessage());
    }
  }

  private static RowException nonNumeric(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    String what = t == JsonToken.VALUE_STRING ? "\"" + shorten(p.getText()) + "\""
        : t == JsonToken.START_OBJECT ? "an object" : p.getText();
    return new RowException("non-numeric value " + what);
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** Reads the label at the current token: a number, or (nested) arrays of numbers. */
  private void label(JsonParser p) throws IOException {
    labelCount = 0;
    if (p.currentToken() == JsonToken.START_ARRAY) {
      labelArray(p, 0);
    } else {
      labelValue(p);
    }
  }

  private void labelArray(JsonParser p, int depth) throws IOException {
    if (depth >= MAX_DEPTH) {
      throw new RowException("label is nested too deeply");
    }
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_ARRAY) {
        labelArray(p, depth + 1);
      } else {
        labelValue(p);
      }
    }
  }

  private void labelValue(JsonParser p) throws IOException {
    double v;
    switch (p.currentToken()) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> v = p.getDoubleValue();
      case VALUE_TRUE -> v = 1;
      case VALUE_FALSE -> v = 0;
      default -> {
        JsonToken t = p.currentToken();
        throw new RowException("non-numeric label value " + (t == JsonToken.VALUE_STRING
            ? "\"" + shorten(p.getText()) + "\"" : t == JsonToken.START_OBJECT ? "an object"
            : p.getText()) + " (labels are numbers; give classes as indices)");
      }
    }
    if (!Double.isFinite(v)) {
      throw new RowException("label is " + ElementType.text(v) + "; labels must be finite");
    }
    if (labelCount == maxLabelWidth) {
      throw new RowException("label has more than " + maxLabelWidth + " values");
    }
    if (labelCount == label.length) {
      label = Arrays.copyOf(label, Math.min(maxLabelWidth, label.length * 2));
    }
    label[labelCount++] = v;
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
