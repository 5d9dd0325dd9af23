package io.mlserve.server.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.store.Signature;
import java.util.Optional;

/**
 * A loaded ONNX artifact. The session opened at load (to read the graph) goes to the first runner
 * that asks for its thread count; every other runner opens its own. Each runner closes its
 * session; {@link #close} closes the load's session if no runner took it.
 *
 * <p>Thread-safe.
 */
final class OnnxLoadedModel implements LoadedModel {
  private final OrtEnvironment env;
  private final SessionFactory sessions;
  private final int firstThreads;
  private final Signature signature;
  private final boolean dynamicBatch;
  private final String device;
  private OrtSession first;

  OnnxLoadedModel(OrtEnvironment env, SessionFactory sessions, OrtSession first, int firstThreads,
      Signature signature, boolean dynamicBatch, String device) {
    this.env = env;
    this.sessions = sessions;
    this.first = first;
    this.firstThreads = firstThreads;
    this.signature = signature;
    this.dynamicBatch = dynamicBatch;
    this.device = device;
  }

  @Override
  public ModelRunner newRunner(int intraOpThreads) {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    OrtSession session = takeFirst(intraOpThreads);
    if (session == null) {
      try {
        session = sessions.open(intraOpThreads);
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime could not open a session: "
            + e.getMessage(), e);
      }
    }
    return new OnnxRunner(env, session, signature);
  }

  private synchronized OrtSession takeFirst(int intraOpThreads) {
    if (first == null || intraOpThreads != firstThreads) {
      return null;
    }
    OrtSession s = first;
    first = null;
    return s;
  }

  @Override
  public Optional<Signature> signature() {
    return Optional.of(signature);
  }

  @Override
  public boolean dynamicBatch() {
    return dynamicBatch;
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public synchronized void close() {
    if (first != null) {
      OnnxRunner.closeQuietly(first);
      first = null;
    }
  }
}
