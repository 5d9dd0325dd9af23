package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlserve.store.ModelFormat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format detection by content: a zip is TorchScript, a protobuf ModelProto with a graph is ONNX
 * whatever the file is called; a contradiction or a .onnx that does not parse is refused.
 * {@code onnx/dense_dynamic.onnx} is a copy of the server's fixture (written by
 * server/src/test/resources/onnx/make_fixtures.py).
 */
class ArtifactFormatsTest {
  @TempDir Path tmp;

  private Path onnx(String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/onnx/dense_dynamic.onnx")) {
      return Files.write(tmp.resolve(name), in.readAllBytes());
    }
  }

  private Path zip(String name) throws Exception {
    return Files.write(tmp.resolve(name), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0});
  }

  @Test
  void detectsByContentNotByName() throws Exception {
    assertEquals(ModelFormat.ONNX, ArtifactFormats.detect(onnx("model.onnx")));
    assertEquals(ModelFormat.ONNX, ArtifactFormats.detect(onnx("exported.bin")));
    assertEquals(ModelFormat.TORCHSCRIPT, ArtifactFormats.detect(zip("model.pt")));
    assertEquals(ModelFormat.TORCHSCRIPT, ArtifactFormats.detect(zip("model.onnx.pt")));
  }

  @Test
  void aDotOnnxThatDoesNotParseIsRefused() throws Exception {
    Path bad = Files.write(tmp.resolve("model.onnx"), new byte[] {8, 7, 0x12, 0x7f, 'x'});
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> ArtifactFormats.detect(bad));
    assertEquals("artifact model.onnx is not an ONNX model: its content is not a protobuf"
        + " ModelProto (truncated or corrupt)", e.getMessage());
    Path noGraph = Files.write(tmp.resolve("x.onnx"), new byte[] {8, 7});
    assertEquals("artifact x.onnx is not an ONNX model: it has no graph",
        assertThrows(InvalidRequestException.class,
            () -> ArtifactFormats.detect(noGraph)).getMessage());
  }

  @Test
  void aDeclaredFormatTheContentContradictsIsRefused() throws Exception {
    assertEquals("artifact model.onnx is a zip archive (TorchScript?), not an ONNX model; give"
        + " format torchscript or the .onnx file", assertThrows(InvalidRequestException.class,
            () -> ArtifactFormats.check(zip("model.onnx"), ModelFormat.ONNX)).getMessage());
    assertEquals("artifact model.pt is an ONNX model, not a TorchScript archive; give format"
        + " onnx", assertThrows(InvalidRequestException.class,
            () -> ArtifactFormats.check(onnx("model.pt"), ModelFormat.TORCHSCRIPT)).getMessage());
    ArtifactFormats.check(onnx("model.onnx"), ModelFormat.ONNX);
    ArtifactFormats.check(zip("model.pt"), ModelFormat.TORCHSCRIPT);
  }
}
