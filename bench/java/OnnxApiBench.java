import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The same ONNX model run through ONNX Runtime's Java API directly (what mlserve's engine does)
 * and through DJL's OnnxRuntime engine (which wraps the same ORT 1.21.1), one thread, one
 * intra-op thread each, in alternating rounds: rows/s at batch 1 and batch 64, and the ratio.
 * Run by bench/onnx-api.sh (a single-file program: java -cp ... OnnxApiBench.java MODEL.onnx).
 */
public final class OnnxApiBench {
  interface Runner extends AutoCloseable {
    float[] run(float[] rows, int batch) throws Exception;
  }

  static final class Direct implements Runner {
    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final OrtSession session;
    final String input;

    Direct(Path model) throws Exception {
      OrtSession.SessionOptions o = new OrtSession.SessionOptions();
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      session = env.createSession(model.toString(), o);
      input = session.getInputNames().iterator().next();
    }

    public float[] run(float[] rows, int batch) throws Exception {
      try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows),
              new long[] {batch, rows.length / batch});
           OrtSession.Result r = session.run(Map.of(input, t))) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] a = new float[out.remaining()];
        out.get(a);
        return a;
      }
    }

    public void close() throws Exception {
      session.close();
    }
  }

  static final class Djl implements Runner {
    final ZooModel<NDList, NDList> model;
    final Predictor<NDList, NDList> predictor;

    Djl(Path file) throws Exception {
      model = Criteria.builder().setTypes(NDList.class, NDList.class)
          .optModelPath(file.getParent()).optModelName(stem(file))
          .optEngine("OnnxRuntime").optTranslator(new NoopTranslator())
          .optOption("interOpNumThreads", "1").optOption("intraOpNumThreads", "1")
          .build().loadModel();
      predictor = model.newPredictor();
    }

    public float[] run(float[] rows, int batch) throws Exception {
      try (NDManager m = model.getNDManager().newSubManager()) {
        NDArray a = m.create(rows, new Shape(batch, rows.length / batch));
        return predictor.predict(new NDList(a)).get(0).toFloatArray();
      }
    }

    public void close() {
      predictor.close();
      model.close();
    }
  }

  static String stem(Path f) {
    String n = f.getFileName().toString();
    return n.substring(0, n.lastIndexOf('.'));
  }

  /** Rows per second over {@code seconds} after {@code warm} seconds of warm-up. */
  static double measure(Runner r, int batch, int features, double warm, double seconds)
      throws Exception {
    float[] rows = new float[batch * features];
    Random rnd = new Random(1);
    for (int i = 0; i < rows.length; i++) {
      rows[i] = rnd.nextFloat() * 100;
    }
    long end = System.nanoTime() + (long) (warm * 1e9);
    while (System.nanoTime() < end) {
      r.run(rows, batch);
    }
    long calls = 0;
    long t0 = System.nanoTime();
    end = t0 + (long) (seconds * 1e9);
    long now;
    do {
      r.run(rows, batch);
      calls++;
      now = System.nanoTime();
    } while (now < end);
    return calls * batch / ((now - t0) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int features = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 5;
    // DJL first: it creates the process's one OrtEnvironment with its own options.
    try (Djl djl = new Djl(model); Direct direct = new Direct(model)) {
      float[] probe = new float[features];
      float[] a = direct.run(probe, 1);
      float[] b = djl.run(probe, 1);
      double diff = 0;
      for (int i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      System.out.printf("same outputs: max |difference| %.3g over %d values%n", diff, a.length);
      for (int batch : new int[] {1, 64}) {
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          boolean directFirst = round % 2 == 0;
          double d = 0;
          double j = 0;
          if (directFirst) {
            d = measure(direct, batch, features, 2, seconds);
            j = measure(djl, batch, features, 2, seconds);
          } else {
            j = measure(djl, batch, features, 2, seconds);
            d = measure(direct, batch, features, 2, seconds);
          }
          ratios[round] = d / j;
          System.out.printf("batch %2d round %d: ORT Java API %,.0f rows/s, DJL OnnxRuntime %,.0f"
              + " rows/s, direct/DJL %.2f%n", batch, round + 1, d, j, ratios[round]);
        }
        java.util.Arrays.sort(ratios);
        System.out.printf("batch %2d: direct/DJL median %.2f (range %.2f-%.2f)%n", batch,
            ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
      }
    }
  }
}
