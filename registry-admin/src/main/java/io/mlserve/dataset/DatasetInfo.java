package io.mlserve.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A stored dataset's record, {@code <store>/<model>/datasets/<name>/dataset.json}: what the data
 * file is (format, SHA-256, size, rows), what a row holds (the inputs as checked, the label
 * width and kind), and who added it when. Written once with the data; immutable.
 *
 * @param name the dataset's name
 * @param model the model it belongs to
 * @param format {@code jsonl}, {@code npz} or {@code csv}
 * @param file the data file's name in the dataset directory
 * @param sha256 the data file's SHA-256, hex
 * @param bytes the data file's size
 * @param rows how many rows it holds
 * @param inputs each model input as a row holds it (name, datatype, row shape)
 * @param labelWidth label values per row
 * @param labelKind {@code "integer"} when every label value is a whole number (class indices,
 *     counts), else {@code "real"}
 * @param checkedAgainst the model version whose signature the rows were checked against
 * @param createdAt when it was added, ISO-8601
 * @param actor who added it
 * @param description what it is, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"name", "model", "format", "file", "sha256", "bytes", "rows", "inputs",
    "label_width", "label_kind", "checked_against", "created_at", "actor", "description"})
public record DatasetInfo(
    String name,
    String model,
    String format,
    String file,
    String sha256,
    long bytes,
    long rows,
    List<DatasetInput> inputs,
    @JsonProperty("label_width") int labelWidth,
    @JsonProperty("label_kind") String labelKind,
    @JsonProperty("checked_against") String checkedAgainst,
    @JsonProperty("created_at") String createdAt,
    String actor,
    String description) {
  /** Every label value is a whole number. */
  public static final String INTEGER = "integer";
  /** Some label value has a fraction. */
  public static final String REAL = "real";

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .enable(SerializationFeature.INDENT_OUTPUT);

  public DatasetInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(format, "format");
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
  }

  /** The schema its rows were checked against, label width included. */
  public DatasetSchema schema() {
    return new DatasetSchema(inputs, labelWidth);
  }

  /** The format as an enum. */
  public DatasetFormat dataFormat() {
    return DatasetFormat.parse(format);
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new StoreException("cannot encode dataset.json: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a dataset.json.
   *
   * @throws StoreException if it cannot be read or is not a dataset record
   */
  static DatasetInfo read(Path file) {
    try {
      DatasetInfo info = JSON.readValue(file.toFile(), DatasetInfo.class);
      if (info.labelWidth() < 1 || info.rows() < 1 || info.inputs().isEmpty()) {
        throw new StoreException("dataset record " + file.getParent().getFileName()
            + "/dataset.json is incomplete");
      }
      return info;
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new StoreException("cannot read dataset record " + file.getParent().getFileName()
          + "/dataset.json: " + e.getMessage(), e);
    }
  }
}
