package io.mlserve.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceJsonTest {
  @TempDir Path store;

  private Path versionDir() throws IOException {
    return Files.createDirectories(store.resolve("m").resolve("versions").resolve("1.0.0"));
  }

  private static ReferenceProfile sample() {
    ProfileBuilder b = new ProfileBuilder(List.of("x[0]", "x[1]"), List.of("y"), 4, 200, 3);
    for (int i = 1; i <= 10; i++) {
      b.addRow(new double[] {i, i == 5 ? Double.NaN : -i}, new double[] {i * 0.5});
    }
    return b.build("m", "1.0.0", "dataset:train@abc", 1_764_460_800_000L);
  }

  @Test
  void aWrittenProfileReadsBackTheSame() throws IOException {
    Path dir = versionDir();
    ReferenceProfile p = sample();
    ReferenceJson.write(dir, p);
    ReferenceProfile back = ReferenceJson.read(dir).orElseThrow();
    assertEquals(p.model(), back.model());
    assertEquals(p.version(), back.version());
    assertEquals(p.source(), back.source());
    assertEquals(10, back.rows());
    assertEquals(p.createdMillis(), back.createdMillis());
    assertEquals(2, back.inputs().size());
    assertEquals(1, back.outputs().size());
    for (int i = 0; i < 2; i++) {
      FeatureProfile a = p.inputs().get(i);
      FeatureProfile b = back.inputs().get(i);
      assertEquals(a.name(), b.name());
      assertEquals(a.count(), b.count());
      assertEquals(a.missing(), b.missing());
      assertEquals(a.mean(), b.mean(), 0);
      assertEquals(a.std(), b.std(), 0);
      assertArrayEquals(a.edges(), b.edges(), 0);
      assertArrayEquals(a.fractions(), b.fractions(), 0);
      assertArrayEquals(a.quantiles(), b.quantiles(), 0);
    }
    assertEquals(1, back.inputs().get(1).missing());
    try (var files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("reference.json")), files.toList()); // no temp file left
    }
    String text = Files.readString(dir.resolve("reference.json"));
    assertTrue(text.contains("\"created_millis\""), text);
    assertTrue(text.contains("\"fractions\""), text);
  }

  @Test
  void aVersionWithoutAProfileReadsEmpty() throws IOException {
    assertFalse(ReferenceJson.read(versionDir()).isPresent());
  }

  @Test
  void aMalformedFileIsNamedRelativeToTheStoreWithWhatIsWrong() throws IOException {
    Path dir = versionDir();
    Files.writeString(dir.resolve("reference.json"), "{\"format\": 1, \"model\": ");
    StoreException e = assertThrows(StoreException.class, () -> ReferenceJson.read(dir));
    assertTrue(e.getMessage().startsWith("m/versions/1.0.0/reference.json is not a valid"
        + " reference profile: not valid JSON"), e.getMessage());
    assertFalse(e.getMessage().contains(store.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), e.getMessage());
  }

  @Test
  void brokenFieldsAreNamed() throws IOException {
    Path dir = versionDir();
    String good = new String(ReferenceJson.bytes(sample()), StandardCharsets.UTF_8);
    String bad = good.replaceFirst("\"fractions\" : \\[ [0-9.]+", "\"fractions\" : [ 0.9");
    Files.writeString(dir.resolve("reference.json"), bad);
    StoreException e = assertThrows(StoreException.class, () -> ReferenceJson.read(dir));
    assertTrue(e.getMessage().contains("inputs[0].fractions must sum to 1"), e.getMessage());

    Files.writeString(dir.resolve("reference.json"), good.replaceFirst("\"rows\" : 10",
        "\"rows\" : \"ten\""));
    e = assertThrows(StoreException.class, () -> ReferenceJson.read(dir));
    assertTrue(e.getMessage().endsWith("the profile: 'rows' must be an integer"), e.getMessage());
  }

  @Test
  void aProfileWithANonFiniteNumberIsNotWritten() throws IOException {
    Path dir = versionDir();
    FeatureProfile f = new FeatureProfile("x", 1, 0, Double.NaN, 0, 1, 1, new double[0],
        new double[] {1}, new double[101]);
    ReferenceProfile p = new ReferenceProfile("m", "1.0.0", "live", 1, 0, List.of(f), List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReferenceJson.write(dir, p));
    assertEquals("feature 'x': mean holds NaN; a reference profile holds finite numbers only",
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("reference.json")));
  }
}
