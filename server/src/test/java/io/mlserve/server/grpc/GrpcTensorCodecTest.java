package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensors;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.triton.shm.ShmRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcTensorCodecTest {
  static InferInputTensor.Builder input(String name, String type, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(type);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  static String refusal(ModelInferRequest req) {
    InferenceException e =
        assertThrows(InferenceException.class, () -> GrpcTensorCodec.decodeInputs(req));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, e.kind());
    return e.getMessage();
  }

  @Test
  void typedIntegerBoolAndDoubleContentsRoundTrip() {
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addInputs(input("i", "INT64", 2).setContents(
            InferTensorContents.newBuilder().addInt64Contents(-5).addInt64Contents(1L << 40)))
        .addInputs(input("b", "BOOL", 3).setContents(InferTensorContents.newBuilder()
            .addBoolContents(true).addBoolContents(false).addBoolContents(true)))
        .addInputs(input("d", "FP64", 1).setContents(
            InferTensorContents.newBuilder().addFp64Contents(2.5)))
        .addInputs(input("u", "UINT8", 2).setContents(
            InferTensorContents.newBuilder().addUintContents(255).addUintContents(7)))
        .build();
    List<Tensor> t = GrpcTensorCodec.decodeInputs(req);
    assertEquals(-5.0, Tensors.elementAsDouble(t.get(0), 0));
    assertEquals((double) (1L << 40), Tensors.elementAsDouble(t.get(0), 1));
    assertEquals(1.0, Tensors.elementAsDouble(t.get(1), 2));
    assertEquals(0.0, Tensors.elementAsDouble(t.get(1), 1));
    assertEquals(2.5, Tensors.elementAsDouble(t.get(2), 0));
    assertEquals(255.0, Tensors.elementAsDouble(t.get(3), 0));

    ModelInferResponse resp = GrpcTensorCodec.encode(
        "m", "1", "id", t.toArray(Tensor[]::new), new int[] {0, 1, 2, 3}, false);
    assertEquals(List.of(-5L, 1L << 40), resp.getOutputs(0).getContents().getInt64ContentsList());
    assertEquals(List.of(true, false, true), resp.getOutputs(1).getContents().getBoolContentsList());
    assertEquals(List.of(2.5), resp.getOutputs(2).getContents().getFp64ContentsList());
    assertEquals(List.of(255, 7), resp.getOutputs(3).getContents().getUintContentsList());
  }

  @Test
  void rawFp16IsAcceptedAndAnsweredRaw() {
    byte[] bytes = {0x00, 0x3C, 0x00, (byte) 0xC0}; // 1.0, -2.0
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addInputs(input("h", "FP16", 1, 2))
        .addRawInputContents(ByteString.copyFrom(bytes))
        .build();
    Tensor t = GrpcTensorCodec.decodeInputs(req).get(0);
    assertEquals(DataType.FP16, t.dataType());
    assertEquals(-2.0, Tensors.elementAsDouble(t, 1));
    ModelInferResponse resp =
        GrpcTensorCodec.encode("m", "1", "", new Tensor[] {t}, new int[] {0}, true);
    assertArrayEquals(bytes, resp.getRawOutputContents(0).toByteArray());
  }

  @Test
  void refusalsNameTheTensorAndTheExpectation() {
    assertTrue(refusal(ModelInferRequest.newBuilder().build()).contains("no inputs"));
    String m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("h", "FP16", 2).setContents(InferTensorContents.newBuilder()))
        .build());
    assertTrue(m.contains("FP16") && m.contains("raw_input_contents"), m);
    m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", 1))
        .addInputs(input("b", "FP32", 1))
        .addRawInputContents(ByteString.copyFrom(new byte[4]))
        .build());
    assertTrue(m.contains("1 entries for 2 inputs"), m);
    m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", 1).setContents(
            InferTensorContents.newBuilder().addFp32Contents(1)))
        .addRawInputContents(ByteString.copyFrom(new byte[4]))
        .build());
    assertTrue(m.contains("one form"), m);
    m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", -1, 24)).build());
    assertTrue(m.contains("negative"), m);
    m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", 2).setContents(
            InferTensorContents.newBuilder().addFp64Contents(1).addFp64Contents(2)))
        .build());
    assertTrue(m.contains("fp32_contents") && m.contains("got 0"), m);
  }

  @Test
  void rawEntriesAreCountedAgainstTheInputsNotInSharedMemory() {
    InferParameter region = InferParameter.newBuilder().setStringParam("r").build();
    InferParameter size = InferParameter.newBuilder().setInt64Param(4).build();
    String m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", 1).putParameters(ShmRef.REGION, region)
            .putParameters(ShmRef.BYTE_SIZE, size))
        .addInputs(input("b", "FP32", 1))
        .addRawInputContents(ByteString.copyFrom(new byte[4]))
        .addRawInputContents(ByteString.copyFrom(new byte[4]))
        .build());
    assertTrue(m.contains("2 entries for 1 inputs not in shared memory"), m);
    m = refusal(ModelInferRequest.newBuilder()
        .addInputs(input("a", "FP32", 1).putParameters(ShmRef.REGION, region)
            .putParameters(ShmRef.BYTE_SIZE, size))
        .addInputs(input("b", "FP32", 1).setContents(
            InferTensorContents.newBuilder().addFp32Contents(1)))
        .build());
    assertTrue(m.contains("input 'a'") && m.contains("shared memory"), m);
  }

  @Test
  void narrowIntegersOutsideTheirTypeAreRefusedNotWrapped() {
    assertTrue(refusal(ModelInferRequest.newBuilder().addInputs(input("i", "INT8", 2).setContents(
        InferTensorContents.newBuilder().addIntContents(1).addIntContents(300))).build())
        .contains("value 300 at [1] is out of range (INT8 holds -128 to 127)"));
    assertTrue(refusal(ModelInferRequest.newBuilder().addInputs(input("u", "UINT16", 1)
        .setContents(InferTensorContents.newBuilder().addUintContents(70000))).build())
        .contains("UINT16"));
    assertTrue(refusal(ModelInferRequest.newBuilder().addInputs(input("u", "UINT8", 1)
        .setContents(InferTensorContents.newBuilder().addUintContents(-1))).build())
        .contains("value 4294967295"));
  }

  @Test
  void nonFiniteFloatsAreRefusedUnlessTheCheckIsOff() {
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addInputs(input("x", "FP32", 2, 2).setContents(InferTensorContents.newBuilder()
            .addFp32Contents(1).addFp32Contents(2).addFp32Contents(Float.NaN)
            .addFp32Contents(3)))
        .build();
    assertEquals("input 'x': element 2 [1][0] is NaN; the server refuses NaN and infinite "
        + "values (--check-finite)", refusal(req));
    float[] passed = GrpcTensorCodec.decodeInputs(req, false).get(0).toFloats();
    assertTrue(Float.isNaN(passed[2]));
  }

  @Test
  void anOutputRequestedTwiceIsRefused() {
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y"))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y"))
        .build();
    InferenceException e = assertThrows(InferenceException.class, () -> GrpcTensorCodec
        .selectOutputs(req, List.of(new io.mlserve.store.TensorSpec("y", "FP32", List.of(-1L)))));
    assertEquals("output 'y' is requested twice; name each output once", e.getMessage());
  }

  /**
   * Typed FP32 and FP64 answers carry every element bit for bit (NaN payloads, -0, subnormals,
   * infinities), in order, for empty, short and long tensors: the same message as adding the
   * elements one by one.
   */
  @Test
  void typedFloatAndDoubleAnswersAreBitExact() {
    float[] specials = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc01234), 1.5f, -3.25e-20f};
    for (int n : new int[] {0, 1, 24, 1000, 5000}) {
      float[] f = new float[n];
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        f[i] = i < specials.length ? specials[i] : i * 0.37f - 11;
        d[i] = i < specials.length ? specials[i] : i * -1.0e-7 + Math.PI;
      }
      if (n > 2) {
        d[2] = Double.longBitsToDouble(0x7ff8000000000abcL);
      }
      java.nio.ByteBuffer db = java.nio.ByteBuffer.allocate(n * 8)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      db.asDoubleBuffer().put(d);
      Tensor[] outs = {Tensor.ofFloats("f", new long[] {n}, f),
          new Tensor("d", DataType.FP64, new long[] {n}, db.array())};
      ModelInferResponse resp = GrpcTensorCodec.encode("m", "1", "id", outs, new int[] {0, 1},
          false);

      InferTensorContents.Builder fOneByOne = InferTensorContents.newBuilder();
      InferTensorContents.Builder dOneByOne = InferTensorContents.newBuilder();
      for (int i = 0; i < n; i++) {
        fOneByOne.addFp32Contents(f[i]);
        dOneByOne.addFp64Contents(d[i]);
      }
      InferTensorContents fc = resp.getOutputs(0).getContents();
      InferTensorContents dc = resp.getOutputs(1).getContents();
      assertEquals(fOneByOne.build(), fc, n + " floats");
      assertEquals(dOneByOne.build(), dc, n + " doubles");
      assertEquals(n, fc.getFp32ContentsCount());
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(f[i]), Float.floatToRawIntBits(fc.getFp32Contents(i)));
        assertEquals(Double.doubleToRawLongBits(d[i]),
            Double.doubleToRawLongBits(dc.getFp64Contents(i)));
      }
      assertEquals(0, fc.getFp64ContentsCount() + dc.getFp32ContentsCount());
      // and the answer survives the wire
      assertEquals(resp, parse(resp.toByteArray()));
    }
  }

  private static ModelInferResponse parse(byte[] wire) {
    try {
      return ModelInferResponse.parseFrom(wire);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
