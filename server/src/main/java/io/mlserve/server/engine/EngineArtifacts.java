package io.mlserve.server.engine;

import io.mlserve.store.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** The checks every engine makes before loading an artifact. Stateless; thread-safe. */
public final class EngineArtifacts {
  private EngineArtifacts() {}

  /**
   * The artifact's path inside the version directory.
   *
   * @param supported the engine's formats for the message, e.g. {@code onnx}
   * @throws IllegalArgumentException when the engine does not load the manifest's format or the
   *     artifact is not a file
   */
  public static Path require(InferenceEngine engine, Path versionDir, Manifest manifest,
      String supported) {
    Objects.requireNonNull(versionDir, "versionDir");
    Objects.requireNonNull(manifest, "manifest");
    if (!engine.supports(manifest.format())) {
      throw new IllegalArgumentException(
          "format '" + manifest.format() + "' is not supported (supported: " + supported + ")");
    }
    Path artifact = versionDir.resolve(manifest.artifact());
    if (!Files.isRegularFile(artifact)) {
      throw new IllegalArgumentException("artifact " + artifact + " does not exist");
    }
    return artifact;
  }

  /**
   * A direct buffer holding {@code data} (position 0, limit its length): {@code buf} itself when
   * it is large enough, else a new native-order one the caller keeps for the next call.
   */
  public static java.nio.ByteBuffer fill(java.nio.ByteBuffer buf, byte[] data) {
    java.nio.ByteBuffer b = buf;
    if (b == null || b.capacity() < data.length) {
      b = java.nio.ByteBuffer.allocateDirect(Math.max(data.length, 1024))
          .order(java.nio.ByteOrder.nativeOrder());
    }
    b.clear();
    b.put(data);
    b.flip();
    return b;
  }
}
