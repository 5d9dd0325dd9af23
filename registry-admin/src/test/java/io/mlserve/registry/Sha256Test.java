package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String EMPTY =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  /** sha256sum of 64 MiB of zero bytes. */
  private static final String ZEROS_64_MIB =
      "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351";

  @TempDir Path dir;

  @Test
  void knownBytesHaveTheirKnownDigestInLowerCaseHex() throws IOException {
    Path f = Files.writeString(dir.resolve("abc.txt"), "abc", StandardCharsets.US_ASCII);
    assertEquals(ABC, Sha256.hexOfFile(f));
    assertArrayEquals(HexFormat.of().parseHex(ABC), Sha256.ofFile(f));
    MessageDigest d = Sha256.digest();
    d.update("abc".getBytes(StandardCharsets.US_ASCII));
    assertEquals(ABC, Sha256.hex(d));
    assertEquals(EMPTY, Sha256.hex(d), "hex resets the digest");
  }

  @Test
  void anEmptyFileHasTheDigestOfNoBytes() throws IOException {
    assertEquals(EMPTY, Sha256.hexOfFile(Files.createFile(dir.resolve("empty"))));
  }

  @Test
  void aLargeFileIsStreamedNotLoadedWhole() throws IOException {
    Path small = Files.writeString(dir.resolve("small"), "abc");
    Sha256.hexOfFile(small); // classes loaded before the measured call
    Path large = dir.resolve("large.bin");
    long size = 64L << 20;
    try (RandomAccessFile f = new RandomAccessFile(large.toFile(), "rw")) {
      f.setLength(size); // sparse: zero bytes, no disk written
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    String digest = Sha256.hexOfFile(large);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(ZEROS_64_MIB, digest);
    assertTrue(allocated < size / 8, "hashing a " + size + "-byte file allocated " + allocated
        + " bytes: it must read in chunks, not the whole file");
  }

  @Test
  void anUnreadableFileFailsWithTheIoErrorOfOpeningIt() {
    Path missing = dir.resolve("missing.bin");
    assertThrows(NoSuchFileException.class, () -> Sha256.hexOfFile(missing));
    assertThrows(IOException.class, () -> Sha256.ofFile(dir)); // a directory
  }
}
