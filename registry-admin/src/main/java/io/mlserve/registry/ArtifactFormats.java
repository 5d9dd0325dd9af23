package io.mlserve.registry;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.mlserve.store.IoErrors;
import io.mlserve.store.ModelFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells an artifact's format from its content: TorchScript is a zip archive, ONNX a protobuf
 * {@code ModelProto} (its top-level fields are walked, without reading the graph into memory,
 * and a graph must be among them). Stateless; thread-safe.
 */
public final class ArtifactFormats {
  /** {@code ModelProto.graph}. */
  private static final int GRAPH_FIELD = 7;
  /** ModelProto's highest field number (functions = 25) with room for additions. */
  private static final int MAX_FIELD = 64;

  private ArtifactFormats() {}

  /**
   * The format of an artifact given without one: by content, else by its name.
   *
   * @throws InvalidRequestException for a {@code .onnx} file that is not an ONNX model, or an
   *     unreadable file
   */
  public static ModelFormat detect(Path artifact) {
    if (isZip(artifact)) {
      return ModelFormat.TORCHSCRIPT;
    }
    Optional<String> notOnnx = onnxProblem(artifact);
    if (notOnnx.isEmpty()) {
      return ModelFormat.ONNX;
    }
    if (artifact.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      throw new InvalidRequestException("artifact " + artifact.getFileName()
          + " is not an ONNX model: " + notOnnx.get());
    }
    return ModelFormat.TORCHSCRIPT; // the engine's validation says what is wrong with it
  }

  /**
   * Refuses an artifact whose content contradicts its declared format: an ONNX version whose file
   * is not an ONNX model, or a TorchScript version whose file is one.
   *
   * @throws InvalidRequestException naming the file and what it is instead
   */
  public static void check(Path artifact, ModelFormat declared) {
    String name = String.valueOf(artifact.getFileName());
    if (declared == ModelFormat.ONNX) {
      if (isZip(artifact)) {
        throw new InvalidRequestException("artifact " + name + " is a zip archive (TorchScript?),"
            + " not an ONNX model; give format torchscript or the .onnx file");
      }
      onnxProblem(artifact).ifPresent(why -> {
        throw new InvalidRequestException("artifact " + name + " is not an ONNX model: " + why);
      });
    } else if (!isZip(artifact) && onnxProblem(artifact).isEmpty()) {
      throw new InvalidRequestException("artifact " + name + " is an ONNX model, not a"
          + " TorchScript archive; give format onnx");
    }
  }

  private static boolean isZip(Path artifact) {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(artifact)) {
      return in.readNBytes(head, 0, 4) == 4 && head[0] == 'P' && head[1] == 'K'
          && head[2] == 3 && head[3] == 4;
    } catch (IOException e) {
      throw unreadable(artifact, e);
    }
  }

  /** Why the file is not a protobuf ModelProto with a graph; empty when it is one. */
  private static Optional<String> onnxProblem(Path artifact) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(artifact))) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      boolean graph = false;
      int fields = 0;
      while (true) {
        int tag = coded.readTag();
        if (tag == 0) {
          break;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        if (field > MAX_FIELD || wire == WireFormat.WIRETYPE_START_GROUP
            || wire == WireFormat.WIRETYPE_END_GROUP) {
          return Optional.of("its content is not a protobuf ModelProto");
        }
        if (field == GRAPH_FIELD && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          graph = true;
        }
        coded.skipField(tag);
        fields++;
      }
      if (fields == 0) {
        return Optional.of("it is empty");
      }
      return graph ? Optional.empty() : Optional.of("it has no graph");
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Optional.of("its content is not a protobuf ModelProto (truncated or corrupt)");
    } catch (IOException e) {
      throw unreadable(artifact, e);
    }
  }

  private static InvalidRequestException unreadable(Path artifact, IOException e) {
    return new InvalidRequestException("artifact " + artifact.getFileName() + " cannot be read: "
        + IoErrors.reason(e), e);
  }
}
