package io.mlserve.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientTextTest {
  @TempDir Path store;

  @Test
  void exceptionNamesAndClassNamesAreTakenOut() {
    assertEquals("store operation failed: No space left on device", ClientText.scrub(
        "store operation failed: java.io.IOException: No space left on device"));
    assertEquals("bad number: For input string: \"1x\"", ClientText.scrub(
        "bad number: java.lang.NumberFormatException: For input string: \"1x\""));
    assertEquals("load failed: PytorchStreamReader failed", ClientText.scrub(
        "load failed: ai.djl.engine.EngineException: PytorchStreamReader failed"));
    assertEquals("Unrecognized field \"x\" (class ServingConfig)", ClientText.scrub(
        "Unrecognized field \"x\" (class io.mlserve.store.ServingConfig)"));
    assertEquals("boom", ClientText.scrub(
        "java.lang.IllegalStateException: boom\n\tat io.mlserve.X.y(X.java:3)\n"));
    assertEquals("request failed", ClientText.scrub("java.lang.NullPointerException"));
    assertEquals("fallback", ClientText.scrub(null, "fallback"));
  }

  @Test
  void serverPathsAreCutToTheirLastSegment() {
    String path = store.resolve("m/versions/1.0.0/model.pt").toString();
    String s = ClientText.scrub("cannot write " + path + ": java.nio.file.FileSystemException: "
        + path + ": No space left on device");
    assertEquals("cannot write .../model.pt: .../model.pt: No space left on device", s);
    assertFalse(s.contains(store.toString()));
    assertEquals("artifact '.../upload.bin' is empty",
        ClientText.scrub("artifact '" + store.resolve("upload.bin") + "' is empty"));
  }

  @Test
  void urlPathsRelativePathsAndOrdinaryTextStay() {
    for (String keep : new String[] {
        "no such endpoint: /v2/models/m/infer",
        "method GET is not allowed on /api/v1/predict (allowed: POST)",
        "input 'dense/BiasAdd' of model m:1.0.0: expected shape [-1, 24] (-1: any size)",
        "version '1.2.3' of model 'a.b' is not loaded",
        "field 'inputs.curve' must be an array of numbers, got a string (\"1.5\")",
        "see https://example.com/docs/errors"}) {
      assertEquals(keep, ClientText.scrub(keep));
    }
  }

  @Test
  void internalAnswersCarryAFreshId() {
    String a = ClientText.newErrorId();
    assertEquals(16, a.length());
    assertNotEquals(a, ClientText.newErrorId());
    assertTrue(ClientText.internal(a).contains(a));
  }
}
