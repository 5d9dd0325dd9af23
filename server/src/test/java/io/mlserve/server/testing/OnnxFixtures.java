package io.mlserve.server.testing;

import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The tiny ONNX models under {@code src/test/resources/onnx/} (written by its
 * {@code make_fixtures.py}), placed as a version directory's {@code model.onnx}.
 */
public final class OnnxFixtures {
  private OnnxFixtures() {}

  /** Copies fixture {@code name} (e.g. {@code dense_dynamic.onnx}) to {@code dir/model.onnx}. */
  public static Path versionDir(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = OnnxFixtures.class.getResourceAsStream("/onnx/" + name)) {
      if (in == null) {
        throw new IOException("no ONNX fixture " + name);
      }
      Files.copy(in, dir.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  /** A manifest for {@code model.onnx} with the given signature and serving config. */
  public static Manifest manifest(String name, String version, Signature signature,
      ServingConfig serving) {
    return new Manifest(name, version, "onnx", "model.onnx", "onnxruntime_onnx", null, null,
        signature, serving, null, null, null, null);
  }
}
