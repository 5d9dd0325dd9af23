package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BYTES tensors over gRPC: bytes_contents and the raw length-prefixed layout, both ways. */
class GrpcBytesCodecTest {
  private static InferInputTensor.Builder input(String name, long... shape) {
    return GrpcTensorCodecTest.input(name, "BYTES", shape);
  }

  private static String refusal(ModelInferRequest req) {
    return GrpcTensorCodecTest.refusal(req);
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void bytesContentsRoundTripAnyBytes() {
    ByteString binary = ByteString.copyFrom(new byte[] {0, (byte) 0xFF, (byte) 0xC3});
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addInputs(input("s", 2, 2).setContents(InferTensorContents.newBuilder()
            .addBytesContents(utf8("cat")).addBytesContents(utf8(""))
            .addBytesContents(utf8("é")).addBytesContents(binary)))
        .build();
    Tensor t = GrpcTensorCodec.decodeInputs(req).get(0);
    assertEquals(DataType.BYTES, t.dataType());
    assertArrayEquals(new long[] {2, 2}, t.shape());
    List<byte[]> elements = BytesElements.decode(t);
    assertEquals("é", new String(elements.get(2), StandardCharsets.UTF_8));
    assertArrayEquals(binary.toByteArray(), elements.get(3));

    ModelInferResponse resp =
        GrpcTensorCodec.encode("m", "1", "id", new Tensor[] {t}, new int[] {0}, false);
    assertEquals("BYTES", resp.getOutputs(0).getDatatype());
    assertEquals(List.of(2L, 2L), resp.getOutputs(0).getShapeList());
    assertEquals(List.of(utf8("cat"), utf8(""), utf8("é"), binary),
        resp.getOutputs(0).getContents().getBytesContentsList());
    assertEquals(0, resp.getRawOutputContentsCount());
  }

  @Test
  void rawContentsAreTheLengthPrefixedLayoutBothWays() {
    byte[] raw = {3, 0, 0, 0, 'c', 'a', 't', 0, 0, 0, 0};
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addInputs(input("s", 2))
        .addRawInputContents(ByteString.copyFrom(raw))
        .build();
    Tensor t = GrpcTensorCodec.decodeInputs(req).get(0);
    assertEquals(List.of("cat", ""), BytesElements.decode(t).stream()
        .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    ModelInferResponse resp = GrpcTensorCodec.encode("m", "1", "id", new Tensor[] {t},
        new int[] {0}, GrpcTensorCodec.usesRaw(req));
    assertArrayEquals(raw, resp.getRawOutputContents(0).toByteArray());
    assertEquals(false, resp.getOutputs(0).hasContents());
  }

  @Test
  void malformedRawBytesAreRefusedNamingTheInput() {
    ModelInferRequest.Builder ok = ModelInferRequest.newBuilder()
        .addInputs(input("f", 1).setDatatype("FP32"))
        .addRawInputContents(ByteString.copyFrom(new byte[4]));
    assertEquals("input 'label': raw_input_contents[1] is not 2 length-prefixed BYTES elements"
            + " (shape [2]): BYTES element 1 claims 9 bytes, only 1 remain",
        refusal(ok.clone().addInputs(input("label", 2))
            .addRawInputContents(ByteString.copyFrom(new byte[] {1, 0, 0, 0, 'a', 9, 0, 0, 0,
                'b'})).build()));
    assertEquals("input 'label': raw_input_contents[1] is not 1 length-prefixed BYTES elements"
            + " (shape [1]): 1 bytes follow the last of 1 BYTES elements",
        refusal(ok.clone().addInputs(input("label", 1))
            .addRawInputContents(ByteString.copyFrom(new byte[] {1, 0, 0, 0, 'a', 'z'}))
            .build()));
    assertEquals("input 'label': raw_input_contents[1] is not 3 length-prefixed BYTES elements"
            + " (shape [3]): 3 BYTES elements need at least 12 bytes, got 2",
        refusal(ok.clone().addInputs(input("label", 3))
            .addRawInputContents(ByteString.copyFrom(new byte[2])).build()));
    // a length prefix of 4 GiB - 1 must not be trusted (nor allocated)
    assertEquals("input 'label': raw_input_contents[1] is not 1 length-prefixed BYTES elements"
            + " (shape [1]): BYTES element 0 claims 4294967295 bytes, only 1 remain",
        refusal(ok.clone().addInputs(input("label", 1))
            .addRawInputContents(ByteString.copyFrom(new byte[] {-1, -1, -1, -1, 'a'}))
            .build()));
  }

  @Test
  void bytesContentsMustMatchTheShape() {
    assertEquals("input 's': shape [3] needs 3 BYTES values in contents.bytes_contents, got 1",
        refusal(ModelInferRequest.newBuilder().addInputs(input("s", 3).setContents(
            InferTensorContents.newBuilder().addBytesContents(utf8("a")))).build()));
    assertEquals("input 's': shape [4611686018427387904, 4] is too large",
        refusal(ModelInferRequest.newBuilder().addInputs(input("s", 1L << 62, 4)).build()));
  }

  @Test
  void bytesOutputsFollowTheRequestsFormNextToNumbers() {
    Tensor label = Tensor.ofStrings("label", new long[] {2}, List.of("yes", "no"));
    Tensor p = Tensor.ofFloats("p", new long[] {2}, new float[] {0.9f, 0.2f});
    ModelInferResponse typed =
        GrpcTensorCodec.encode("m", "1", "id", new Tensor[] {label, p}, new int[] {1, 0}, false);
    assertEquals("p", typed.getOutputs(0).getName());
    assertEquals(List.of(utf8("yes"), utf8("no")),
        typed.getOutputs(1).getContents().getBytesContentsList());
    ModelInferResponse raw =
        GrpcTensorCodec.encode("m", "1", "id", new Tensor[] {label, p}, new int[] {0, 1}, true);
    assertArrayEquals(label.data(), raw.getRawOutputContents(0).toByteArray());
    assertEquals(8, raw.getRawOutputContents(1).size());
  }
}
