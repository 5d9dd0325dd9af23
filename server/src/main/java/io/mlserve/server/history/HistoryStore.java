package io.mlserve.server.history;

import io.mlserve.store.FileOps;
import io.mlserve.store.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted history under {@code <store>/.history/}: a {@link SegmentLog} per resolution
 * (format: {@link SegmentFormat}), retention by whole days, a cap on the total size (the oldest
 * days go first), and the reads of {@link HistoryReader}.
 *
 * <p>Best effort, never in the way of serving: an I/O failure (a full disk, a read-only
 * mount) is logged once, the buckets are dropped, and appends are retried every
 * {@link #RETRY_SECONDS} seconds; a success is logged once. Durability: each closed bucket is
 * written when it closes (every 10 s, every minute), so a killed process (kill -9) loses only
 * the buckets still open; the segments are fsynced every {@link #SYNC_SECONDS} seconds and on
 * close, so a power loss loses at most that much more.
 *
 * <p>Appends, {@link #sync} and {@link #close} run on one thread (the sampler's); reads
 * ({@link #reader()}) may run on any thread at the same time, as they only read whole records.
 */
public final class HistoryStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HistoryStore.class);
  static final String DIR = ".history";
  static final long RETRY_SECONDS = 60;
  static final long SYNC_SECONDS = 30;

  private final Path root;
  private final HistoryLimits limits;
  private final Map<Resolution, SegmentLog> logs = new LinkedHashMap<>();
  private final HistoryReader reader;
  private long failedUntil = Long.MIN_VALUE;
  private boolean failing;
  private long lastSync;
  private long lastHousekeeping = Long.MIN_VALUE / 2;

  /**
   * @param storeRoot the model store's directory; {@code .history/} is made under it on the
   *     first append
   */
  public HistoryStore(Path storeRoot, HistoryLimits limits, FileOps ops) {
    this.root = storeRoot.resolve(DIR);
    this.limits = limits;
    for (Resolution r : List.of(limits.fine(), limits.coarse())) {
      logs.put(r, new SegmentLog(root.resolve(r.name()), DIR + "/" + r.name(), ops,
          limits.maxSegmentBytes(), limits.maxSeriesPerDay()));
    }
    this.reader = new HistoryReader(root, limits);
  }

  public HistoryLimits limits() {
    return limits;
  }

  public List<Resolution> resolutions() {
    return List.copyOf(logs.keySet());
  }

  public HistoryReader reader() {
    return reader;
  }

  /**
   * Appends closed buckets of {@code resolution}; at {@code nowSecond} also runs retention and
   * the size cap (hourly and on a new day) and the periodic fsync. Never throws for I/O.
   */
  public void append(Resolution resolution, List<Bucketed> values, long nowSecond) {
    if (nowSecond < failedUntil) {
      return;
    }
    try {
      SegmentLog segments = logs.get(resolution);
      long day = segments.openDay();
      segments.append(values);
      if (segments.openDay() != day || nowSecond - lastHousekeeping >= 3600) {
        lastHousekeeping = nowSecond;
        housekeeping(Math.floorDiv(nowSecond, 86_400L));
      }
      if (nowSecond - lastSync >= SYNC_SECONDS) {
        lastSync = nowSecond;
        sync();
      }
      if (failing) {
        failing = false;
        log.info("history: writing under {} again", DIR);
      }
    } catch (IOException | RuntimeException e) {
      failedUntil = nowSecond + RETRY_SECONDS;
      if (!failing) {
        failing = true;
        log.warn("history: cannot write under {} ({}); points are dropped and writing is"
            + " retried every {} s; serving is not affected", DIR,
            e instanceof IOException io ? IoErrors.reason(io) : e.toString(), RETRY_SECONDS);
      }
    }
  }

  /** Forces every open segment to disk. */
  public void sync() throws IOException {
    for (SegmentLog l : logs.values()) {
      l.force();
    }
  }

  /**
   * Deletes the days past each resolution's retention, then the oldest days (fine before
   * coarse on the same day) while the total is over the cap; the open days stay.
   */
  void housekeeping(long today) throws IOException {
    List<DayFiles> all = new ArrayList<>();
    long total = 0;
    for (Map.Entry<Resolution, SegmentLog> e : logs.entrySet()) {
      Resolution r = e.getKey();
      for (DayFiles d : days(r)) {
        if (d.day < today - r.retentionDays() && d.day != e.getValue().openDay()) {
          delete(d);
        } else {
          all.add(d);
          total += d.bytes;
        }
      }
    }
    all.sort(Comparator.comparingLong((DayFiles d) -> d.day)
        .thenComparing(d -> -d.resolution.seconds()));
    for (DayFiles d : all) {
      if (total <= limits.maxTotalBytes()) {
        break;
      }
      if (d.day != logs.get(d.resolution).openDay()) {
        delete(d);
        total -= d.bytes;
        log.info("history: deleted {}/{} {}: the history is over its cap of {} bytes", DIR,
            d.resolution.name(), SegmentFormat.dayName(d.day), limits.maxTotalBytes());
      }
    }
  }

  private record DayFiles(Resolution resolution, long day, long bytes, List<Path> files) {}

  private List<DayFiles> days(Resolution r) throws IOException {
    Path dir = root.resolve(r.name());
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Map<Long, List<Path>> byDay = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> {
        long day = SegmentFormat.dayOf(p.getFileName().toString());
        if (day >= 0) {
          byDay.computeIfAbsent(day, k -> new ArrayList<>()).add(p);
        }
      });
    }
    List<DayFiles> out = new ArrayList<>();
    for (Map.Entry<Long, List<Path>> e : byDay.entrySet()) {
      long bytes = 0;
      for (Path p : e.getValue()) {
        bytes += Files.size(p);
      }
      out.add(new DayFiles(r, e.getKey(), bytes, e.getValue()));
    }
    return out;
  }

  private static void delete(DayFiles d) throws IOException {
    for (Path p : d.files) {
      Files.deleteIfExists(p);
    }
  }

  /** Bytes of every segment and dictionary on disk now. */
  public long totalBytes() throws IOException {
    long n = 0;
    for (Resolution r : logs.keySet()) {
      for (DayFiles d : days(r)) {
        n += d.bytes;
      }
    }
    return n;
  }

  /** Forces and closes the open segments. */
  @Override
  public void close() {
    for (SegmentLog l : logs.values()) {
      try {
        l.close();
      } catch (IOException e) {
        log.warn("history: closing a segment failed: {}", IoErrors.reason(e));
      }
    }
  }
}
