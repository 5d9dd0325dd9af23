package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeploymentStore}: the record's round trip, and what a read-only reader refuses. */
class DeploymentStoreTest {
  @TempDir Path tmp;
  private Path root;
  private ModelStore store;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("store");
    store = ModelStore.open(root);
    Files.createDirectories(root.resolve("m/versions/1.0.0"));
  }

  @Test
  void roundTripsTheRolloutSectionAndNamesWhatIsWrongInABadOne() throws Exception {
    Rollout r = new Rollout("1.1.0", "1.0.0", Rollout.DEFAULT_STEPS, 60_000,
        Rollout.Thresholds.DEFAULTS, 25.0, 1, Rollout.State.PAUSED, 99, 2, "too few requests",
        null);
    Deployment d = new Deployment("m", TrafficSplit.parse("1.0.0=75,1.1.0=25"), 7, "alice",
        null, 1234, null, r);
    new DeploymentStore(store).write(d);
    Deployment back = DeploymentStore.read(root, "m").orElseThrow();
    assertEquals(r, back.rollout());
    assertEquals(d, new Deployment(back.model(), back.split(), back.seq(), back.actor(),
        back.reason(), back.updatedAt(), null, back.rollout()));
    java.nio.file.Path file = root.resolve("m/deployment.json");
    java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file)
        .replace("\"step\" : 1", "\"step\" : 9"));
    assertEquals("m/deployment.json: rollout: step 9 is not an index of the steps 5,25,50,100",
        org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
            () -> DeploymentStore.read(root, "m")).getMessage());
  }

  @Test
  void theShadowSectionRoundTripsAndABadOneIsNamed() throws Exception {
    Deployment d = new Deployment("m", null, 3, "alice", null, 99, null, null,
        new Shadow("1.1.0", 0.25, 1e-4, 1e-3, 1234));
    new DeploymentStore(store).write(d);
    assertEquals(d.shadow(), DeploymentStore.read(root, "m").orElseThrow().shadow());
    java.nio.file.Path file = root.resolve("m/deployment.json");
    java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file)
        .replaceAll("\"sample\"\\s*:\\s*0\\.25", "\"sample\": 7"));
    StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
        () -> DeploymentStore.read(root, "m"));
    assertEquals("m/deployment.json: shadow: shadow sample must be in (0, 1], got 7.0",
        e.getMessage());
  }

  @Test
  void roundTripsAndKeepsSectionsItDoesNotKnow() {
    ObjectNode others = JsonNodeFactory.instance.objectNode();
    others.putObject("alerts").put("version", "1.1.0").put("sample_rate", 0.25);
    Deployment d = new Deployment("m", TrafficSplit.parse("1.0.0=75,1.1.0=25"), 7, "alice",
        null, 1234, others);
    new DeploymentStore(store).write(d);
    Deployment back = DeploymentStore.read(root, "m").orElseThrow();
    assertEquals(d.split(), back.split());
    assertEquals(7, back.seq());
    assertEquals("alice", back.actor());
    assertEquals(null, back.reason());
    assertEquals(1234, back.updatedAt());
    assertEquals(others, back.otherSections());
    assertEquals(Optional.of(back.split()), new DeploymentStore(store).read("m")
        .map(Deployment::split));
    others.put("changed", true); // the record copied it
    assertFalse(back.otherSections().has("changed"));
  }

  @Test
  void aReaderFindsNothingWhereThereIsNothingAndRefusesWhatItCannotTrust() throws Exception {
    assertEquals(Optional.empty(), DeploymentStore.read(root, "m"));
    assertEquals(Optional.empty(), DeploymentStore.read(root, "nope"));
    assertEquals(Optional.empty(), DeploymentStore.read(root, "../m"));
    assertThrows(NotFoundException.class, () -> new DeploymentStore(store).read("nope"));

    Path record = root.resolve("m/deployment.json");
    Files.writeString(record, "{\"model\":\"other\",\"split\":null,\"seq\":1}");
    assertEquals("m/deployment.json names model 'other', not m", assertThrows(
        StoreException.class, () -> DeploymentStore.read(root, "m")).getMessage());
    Files.writeString(record, "{\"model\":\"m\",\"split\":{\"weights\":{\"1.0.0\":100}},"
        + "\"seq\":1}");
    assertEquals("m/deployment.json: split: expected {\"weights\": {...}, \"ranges\": {...}}",
        assertThrows(StoreException.class, () -> DeploymentStore.read(root, "m")).getMessage());
    Files.writeString(record, "{\"model\":\"m\",\"split\":null,\"seq\":-1}");
    assertEquals("m/deployment.json: seq is not a non-negative integer",
        assertThrows(StoreException.class, () -> DeploymentStore.read(root, "m")).getMessage());
    Files.write(record, new byte[(1 << 20) + 1]);
    assertEquals("m/deployment.json is larger than 1 MiB; refusing it",
        assertThrows(StoreException.class, () -> DeploymentStore.read(root, "m")).getMessage());

    Files.delete(record);
    Path outside = Files.writeString(tmp.resolve("elsewhere.json"),
        "{\"model\":\"m\",\"split\":null,\"seq\":1}");
    Files.createSymbolicLink(record, outside);
    StoreException e = assertThrows(StoreException.class, () -> DeploymentStore.read(root, "m"));
    assertEquals("m/deployment.json is a symlink; refusing it", e.getMessage());
    assertTrue(Files.isSymbolicLink(record));
  }
}
