package io.mlserve.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets larger than the heap are read in constant memory: a child JVM with a 24 MiB heap
 * reads 1,000,000 rows of 8 FP32 values and 8 labels (64 MB of values once decoded; the JSONL
 * file is about 90 MB) in batches of 1,000, in each format. Retaining batches, or holding the
 * file, would run it out of memory.
 */
class DatasetHeapTest {
  @TempDir Path tmp;

  @Test
  void aDatasetLargerThanTheHeapIsReadBatchByBatch() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
        DatasetReadBench.class.getName(), tmp.toString(), "1000000", "8", "1000",
        "jsonl,npz,csv").redirectErrorStream(true).start();
    String out;
    try {
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the reader did not finish");
    } finally {
      out = read(p);
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), out);
    for (String f : List.of("jsonl", "npz", "csv")) {
      assertTrue(out.contains(f + ": 1000000 rows x 8 values"), out);
    }
  }

  private static String read(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
