package io.mlserve.dataset;

import java.util.Locale;

/**
 * The file formats a dataset may be added in, each kept as it was sent under its store name
 * ({@code data.jsonl}, {@code data.npz}, {@code data.csv}). Immutable.
 */
public enum DatasetFormat {
  /** One JSON object a line: {@code {"input": [...], "label": ...}}. */
  JSONL("jsonl", "data.jsonl"),
  /** A NumPy {@code .npz} archive ({@code np.savez} or {@code np.savez_compressed}). */
  NPZ("npz", "data.npz"),
  /** Comma-separated, a header row, label columns named {@code label} or {@code label_<i>}. */
  CSV("csv", "data.csv");

  private final String id;
  private final String fileName;

  DatasetFormat(String id, String fileName) {
    this.id = id;
    this.fileName = fileName;
  }

  /** The format's name on the command line, in the API and in dataset.json. */
  public String id() {
    return id;
  }

  /** The data file's name in the dataset directory. */
  public String fileName() {
    return fileName;
  }

  /**
   * The format named {@code id} ({@code jsonl}, {@code npz}, {@code csv}; case-insensitive).
   *
   * @throws IllegalArgumentException for another name, listing the formats
   */
  public static DatasetFormat parse(String id) {
    if (id != null) {
      String lower = id.trim().toLowerCase(Locale.ROOT);
      for (DatasetFormat f : values()) {
        if (f.id.equals(lower)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException("unknown dataset format '" + id
        + "'; use jsonl, npz or csv");
  }

  /**
   * The format a file name's extension says ({@code .jsonl}/{@code .json}, {@code .npz},
   * {@code .csv}).
   *
   * @throws IllegalArgumentException when the extension says none of them
   */
  public static DatasetFormat fromFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
      return JSONL;
    }
    if (lower.endsWith(".npz")) {
      return NPZ;
    }
    if (lower.endsWith(".csv")) {
      return CSV;
    }
    throw new IllegalArgumentException("cannot tell the format of '" + name
        + "' from its name; name it .jsonl, .npz or .csv, or give the format");
  }
}
