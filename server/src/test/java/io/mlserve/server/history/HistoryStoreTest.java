package io.mlserve.server.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.FileOps;
import io.mlserve.store.ModelStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {
  static final long DAY = 86_400;
  static final long T0 = 20_000 * DAY; // a UTC midnight (2024-10-04)
  static final SeriesKey RATE = SeriesKey.ofVersion(Metric.RATE, "m", "1.0.0");
  static final SeriesKey P95 = SeriesKey.ofVersion(Metric.P95_MS, "m", "1.0.0");
  static final SeriesKey CPU = SeriesKey.ofProcess(Metric.CPU_RATIO);

  @TempDir Path dir;

  HistoryStore open(HistoryLimits limits) {
    return new HistoryStore(dir, limits, FileOps.DEFAULT);
  }

  static List<Bucketed> bucket(long t, float rate) {
    return List.of(new Bucketed(RATE, t, rate), new Bucketed(P95, t, rate * 10),
        new Bucketed(CPU, t, 0.5f));
  }

  Path segment(String res, long second) {
    return dir.resolve(".history").resolve(res)
        .resolve(SegmentFormat.dayName(second / DAY) + ".seg");
  }

  @Test
  void pointsWrittenBeforeARestartAreReadBack() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = open(limits);
    for (int i = 0; i < 6; i++) {
      s.append(limits.fine(), bucket(T0 + 10 * i, i), T0 + 10 * i + 10);
    }
    s.close();
    HistoryStore again = open(limits);
    HistoryReader.Result r = again.reader().read(limits.fine(), T0, T0 + 60, 10,
        k -> k.equals(RATE));
    assertEquals(1, r.series().size());
    assertArrayEquals(new long[] {T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40, T0 + 50},
        r.series().get(0).seconds());
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.series().get(0).values());
    // appending after the restart reuses the day's dictionary: still one series, more points
    again.append(limits.fine(), bucket(T0 + 60, 6), T0 + 70);
    again.close();
    r = open(limits).reader().read(limits.fine(), T0, T0 + 70, 10, k -> k.equals(RATE));
    assertEquals(7, r.series().get(0).values().length);
    assertEquals(3 * 12 * 7, Files.size(segment("10s", T0)), "12 bytes a point");
  }

  @Test
  void readsFoldIntoStepsMeanOrMaxAndStayWithinThePointBound() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = open(limits);
    for (int i = 0; i < 6; i++) {
      s.append(limits.fine(), bucket(T0 + 10 * i, i), T0 + 10 * i + 10);
    }
    s.close();
    HistoryReader.Result r = s.reader().read(limits.fine(), T0, T0 + 60, 30,
        k -> k.metric() != Metric.CPU_RATIO);
    assertEquals(2, r.series().size());
    for (HistoryReader.SeriesPoints p : r.series()) {
      assertArrayEquals(new long[] {T0, T0 + 30}, p.seconds());
      assertArrayEquals(p.key().equals(RATE) ? new double[] {1, 4} : new double[] {20, 50},
          p.values(), p.key().toString());
    }
    HistoryReader.Result few = s.reader().read(limits.fine(), T0, T0 + 60, 10, k -> true);
    assertEquals(3, few.series().size());
    HistoryLimits one = new HistoryLimits(1, 30, 1L << 30, 1L << 20, 100, 1440, 1);
    assertTrue(new HistoryStore(dir, one, FileOps.DEFAULT).reader()
        .read(one.fine(), T0, T0 + 60, 10, k -> true).truncated(), "series bound per answer");
  }

  @Test
  void anAnswerHoldsAtMostMaxPointsPerSeries() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = open(limits);
    for (int i = 0; i < 2000; i++) {
      s.append(limits.fine(), List.of(new Bucketed(RATE, T0 + 10 * i, i)), T0 + 10 * i + 10);
    }
    s.close();
    HistoryReader.Result r = s.reader().read(limits.fine(), T0, T0 + 20_000, 10, k -> true);
    assertEquals(limits.maxPointsPerSeries(), r.series().get(0).seconds().length);
  }

  @Test
  void aTornTailIsRepairedOnOpenAndLaterAppendsStayReadable() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = open(limits);
    s.append(limits.fine(), bucket(T0, 1), T0 + 10);
    s.append(limits.fine(), bucket(T0 + 10, 2), T0 + 20);
    s.close();
    Path seg = segment("10s", T0);
    long good = Files.size(seg);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      // a crash mid-append: a zero-filled end, three records long, then part of one more
      ByteBuffer junk = ByteBuffer.allocate(3 * 12 + 5);
      junk.position(3 * 12);
      junk.put(new byte[] {1, 2, 3, 4, 5}).flip();
      ch.write(junk, good);
    }
    Path dict = seg.resolveSibling(SegmentFormat.dayName(T0 / DAY) + ".series");
    Files.write(dict, "{\"id\":7,\"metr".getBytes(), StandardOpenOption.APPEND);

    HistoryStore again = open(limits);
    again.append(limits.fine(), bucket(T0 + 20, 3), T0 + 30);
    again.close();
    assertEquals(good + 3 * 12, Files.size(seg), "the torn records were cut off");
    assertTrue(Files.readString(dict).endsWith("}\n"), "the torn dictionary line was cut off");
    HistoryReader.Result r = again.reader().read(limits.fine(), T0, T0 + 30, 10,
        k -> k.equals(RATE));
    assertArrayEquals(new double[] {1, 2, 3}, r.series().get(0).values());
  }

  @Test
  void retentionDeletesWholeDaysPastEachResolutionsKeep() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults().withRetention(1, 3);
    HistoryStore s = open(limits);
    for (int d = 0; d < 6; d++) {
      long t = T0 + d * DAY;
      s.append(limits.fine(), bucket(t, d), t + 10);
      s.append(limits.coarse(), bucket(t, d), t + 60);
    }
    s.close();
    List<String> fine = names("10s");
    List<String> coarse = names("1m");
    assertEquals(List.of(day(4) + ".seg", day(4) + ".series", day(5) + ".seg",
        day(5) + ".series"), fine, "today and one day before");
    assertEquals(8, coarse.size(), "today and three days before: " + coarse);
    assertFalse(coarse.contains(day(1) + ".seg"));
  }

  @Test
  void theTotalCapDeletesTheOldestDaysFirst() throws IOException {
    HistoryLimits limits = new HistoryLimits(7, 30, 1L << 20, 1L << 20, 8192, 1440, 64);
    HistoryStore s = open(limits);
    List<Bucketed> many = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) { // 240,000 bytes a day
      many.add(new Bucketed(RATE, T0, i));
    }
    for (int d = 0; d < 6; d++) {
      long shift = d * DAY;
      List<Bucketed> day = many.stream()
          .map(b -> new Bucketed(b.key(), b.epochSecond() + shift, b.value()))
          .toList();
      s.append(limits.coarse(), day, T0 + d * DAY + 60);
    }
    s.close();
    assertTrue(s.totalBytes() <= 1L << 20, "at most the cap: " + s.totalBytes());
    List<String> left = names("1m");
    assertFalse(left.contains(day(0) + ".seg"), "the oldest day went first: " + left);
    assertTrue(left.contains(day(5) + ".seg"));
  }

  @Test
  void aSegmentAndADaysSeriesAreBounded() throws IOException {
    HistoryLimits limits = HistoryLimits.defaults().withMaxSegmentBytes(64 << 10)
        .withMaxSeriesPerDay(2);
    HistoryStore s = open(limits);
    for (int i = 0; i < 3000; i++) { // 3 series a bucket, only 2 kept: 24 bytes a bucket
      s.append(limits.fine(), bucket(T0 + 10 * i, i), T0 + 10 * i + 10);
    }
    s.close();
    long size = Files.size(segment("10s", T0));
    assertEquals((64 << 10) - (64 << 10) % 12, size, "filled to the cap, whole records");
    assertEquals(2, s.reader().read(limits.fine(), T0, T0 + DAY, 60, k -> true)
        .series().size(), "the third series was not kept");
  }

  @Test
  void aFullDiskDropsPointsLeavesNoTornRecordAndResumesLater() throws IOException {
    AtomicBoolean full = new AtomicBoolean();
    FileOps disk = new FileOps() {
      @Override
      public void write(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        if (full.get()) {
          ByteBuffer part = buf.slice(buf.position(), Math.min(5, buf.remaining()));
          ch.write(part, position); // some bytes land, then the disk is full
          throw new IOException("No space left on device");
        }
        FileOps.super.write(ch, buf, position);
      }
    };
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = new HistoryStore(dir, limits, disk);
    s.append(limits.fine(), bucket(T0, 1), T0 + 10);
    full.set(true);
    s.append(limits.fine(), bucket(T0 + 10, 2), T0 + 20); // logged, dropped, no exception
    assertEquals(3 * 12, Files.size(segment("10s", T0)), "the bytes that landed were cut off");
    full.set(false);
    s.append(limits.fine(), bucket(T0 + 20, 3), T0 + 30); // within the retry pause: dropped
    s.append(limits.fine(), bucket(T0 + 90, 4), T0 + 100); // after it: written
    s.close();
    assertEquals(2 * 3 * 12, Files.size(segment("10s", T0)));
    HistoryReader.Result r = s.reader().read(limits.fine(), T0, T0 + 100, 10,
        k -> k.equals(RATE));
    assertArrayEquals(new long[] {T0, T0 + 90}, r.series().get(0).seconds());
    assertArrayEquals(new double[] {1, 4}, r.series().get(0).values());
  }

  @Test
  void theStoreDoesNotTakeHistoryForAModelAndItsCheckStaysClean() throws IOException {
    ModelStore store = ModelStore.open(dir);
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore s = new HistoryStore(store.root(), limits, FileOps.DEFAULT);
    s.append(limits.fine(), bucket(T0, 1), T0 + 10);
    s.close();
    assertTrue(Files.isDirectory(store.root().resolve(".history/10s")));
    assertEquals(List.of(), store.modelNames());
    assertEquals(List.of(), store.check());
  }

  private static String day(int d) {
    return SegmentFormat.dayName(T0 / DAY + d);
  }

  private List<String> names(String res) throws IOException {
    try (var s = Files.list(dir.resolve(".history").resolve(res))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
