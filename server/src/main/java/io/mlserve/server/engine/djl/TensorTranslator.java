package io.mlserve.server.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.mlserve.server.engine.EngineArtifacts;
import io.mlserve.server.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Copies whole batches between mlserve tensors and DJL NDArrays. The NDArrays live in the
 * predictor's per-call manager, so their native memory is freed when the call returns; outputs
 * are copied out to heap bytes before that.
 *
 * <p>Input bytes go through direct buffers that this translator keeps and grows, so a call does
 * not allocate direct memory. Not thread-safe: one per runner.
 */
final class TensorTranslator implements NoBatchifyTranslator<Tensor[], Tensor[]> {
  private final List<String> outputNames;
  private ByteBuffer[] scratch = new ByteBuffer[0];

  TensorTranslator(List<String> outputNames) {
    this.outputNames = List.copyOf(outputNames);
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Tensor[] inputs) {
    NDManager manager = ctx.getNDManager();
    if (scratch.length < inputs.length) {
      ByteBuffer[] grown = new ByteBuffer[inputs.length];
      System.arraycopy(scratch, 0, grown, 0, scratch.length);
      scratch = grown;
    }
    NDList list = new NDList(inputs.length);
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      ByteBuffer buf = EngineArtifacts.fill(scratch[i], t.data());
      scratch[i] = buf;
      NDArray array = manager.create(buf, new Shape(t.shape()), DjlTypes.toDjl(t.dataType()));
      array.setName(t.name());
      list.add(array);
    }
    return list;
  }

  @Override
  public Tensor[] processOutput(TranslatorContext ctx, NDList list) {
    Tensor[] out = new Tensor[list.size()];
    for (int i = 0; i < out.length; i++) {
      NDArray a = list.get(i);
      String name = i < outputNames.size() ? outputNames.get(i) : "output__" + i;
      out[i] =
          new Tensor(
              name, DjlTypes.fromDjl(a.getDataType()), a.getShape().getShape(), a.toByteArray());
    }
    return out;
  }
}
