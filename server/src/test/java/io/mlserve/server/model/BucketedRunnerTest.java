package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketedRunnerTest {
  @Test
  void bucketsArePowersOfTwoCappedAtTheMax() {
    assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32, 64}, BucketedRunner.buckets(64));
    assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32, 48}, BucketedRunner.buckets(48));
    assertEquals(8, BucketedRunner.bucket(5, 64));
    assertEquals(48, BucketedRunner.bucket(33, 48));
    assertEquals(1, BucketedRunner.bucket(1, 64));
  }

  @Test
  void padsToTheBucketAndCutsTheOutputsBack() throws Exception {
    FakeRunner fake = new FakeRunner();
    BucketedRunner r = new BucketedRunner(fake, 64);
    Tensor[] out = r.predict(new Tensor[] {FakeRunner.rows(5, 1)});
    assertEquals(List.of(8L), fake.batchRows(), "the engine saw the bucket size");
    assertArrayEquals(new long[] {5, 2}, out[0].shape());
    float[] got = FakeRunner.floats(out[0]);
    assertEquals(10, got.length);
    assertEquals(2f, got[0]);
    assertEquals(20f, got[9]);
    r.predict(new Tensor[] {FakeRunner.rows(4, 1)});
    assertEquals(List.of(8L, 4L), fake.batchRows(), "an exact bucket is not padded");
  }
}
