package io.mlserve.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The artifact formats the store accepts, with the artifact file name a version directory uses
 * for each and the Triton-style platform name written to the manifest.
 */
public enum ModelFormat {
  TORCHSCRIPT("torchscript", "model.pt", "pytorch_libtorch"),
  ONNX("onnx", "model.onnx", "onnxruntime_onnx");

  private final String id;
  private final String artifactName;
  private final String platform;

  ModelFormat(String id, String artifactName, String platform) {
    this.id = id;
    this.artifactName = artifactName;
    this.platform = platform;
  }

  /** The manifest's {@code format} value, e.g. {@code torchscript}. */
  public String id() {
    return id;
  }

  /** The artifact's file name inside a version directory, e.g. {@code model.pt}. */
  public String artifactName() {
    return artifactName;
  }

  /** The manifest's {@code platform} value, e.g. {@code pytorch_libtorch}. */
  public String platform() {
    return platform;
  }

  /**
   * Parses a format id, case-insensitively.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static ModelFormat parse(String s) {
    Objects.requireNonNull(s, "s");
    for (ModelFormat f : values()) {
      if (f.id.equalsIgnoreCase(s.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException("unsupported format '" + Names.printable(s)
        + "'; allowed: " + Arrays.stream(values()).map(ModelFormat::id)
            .collect(Collectors.joining(", ")));
  }
}
