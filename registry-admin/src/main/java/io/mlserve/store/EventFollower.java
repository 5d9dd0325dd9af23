package io.mlserve.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails a store's {@code events.jsonl} and delivers every event with a seq above a starting
 * point, in file (= seq) order, each once, whichever process wrote it. The file is the single
 * source: events are durable before they are delivered, and a reconnecting reader that passes
 * its last seq misses nothing and sees nothing twice.
 *
 * <p>Only committed events are delivered: the file is read holding the store lock, so no
 * writer is between appending its event and its commit point (a registry change writes its
 * event before it moves the stage pointer, and takes the event back if it fails). A consumer
 * that reads the store when an event arrives therefore sees the change the event announces.
 * Where the lock cannot be taken (a read-only store), the file is read without it.
 *
 * <p>One daemon thread per follower: it reads what was appended since its last read (only
 * newline-terminated lines; a torn line is read once complete), then waits on a
 * {@link WatchService} on the store root, or at most {@code pollInterval}, after which it checks
 * the file's size (so filesystems without change notification work too). No tree is scanned.
 * If the file shrinks (replaced), it is read again from the start, still skipping seqs already
 * delivered. A sink that throws stops the follower. This class is thread-safe.
 */
public final class EventFollower implements AutoCloseable {
  /** The default fallback poll interval. */
  public static final Duration DEFAULT_POLL = Duration.ofMillis(200);

  private static final Logger log = LoggerFactory.getLogger(EventFollower.class);

  private final Path file;
  private final StoreLock lock;
  private final Consumer<Event> sink;
  private final Runnable caughtUp;
  private final long pollMillis;
  private final WatchService watcher;
  private final Thread thread;
  private volatile boolean closed;
  // Owned by the follower thread.
  private long offset;
  private volatile long lastSeq; // written by the follower thread only
  private boolean lastReadComplete; // follower thread only

  private EventFollower(Path root, long afterSeq, Consumer<Event> sink, Runnable caughtUp,
      Duration poll) throws IOException {
    this.file = root.resolve(EventLog.FILE_NAME);
    this.lock = StoreLock.forRoot(root);
    this.sink = sink;
    this.caughtUp = caughtUp;
    this.pollMillis = Math.max(1, poll.toMillis());
    this.lastSeq = afterSeq;
    this.watcher = FileSystems.getDefault().newWatchService();
    root.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY);
    this.thread = new Thread(this::loop, "event-follower-" + root.getFileName());
    thread.setDaemon(true);
  }

  /**
   * Starts following the log of the store at {@code storeRoot}: delivers every event with
   * {@code seq > afterSeq} already in the file, then new ones as they are appended.
   */
  public static EventFollower start(Path storeRoot, long afterSeq, Consumer<Event> sink,
      Duration pollInterval) {
    return start(storeRoot, afterSeq, sink, () -> { }, pollInterval);
  }

  /**
   * As {@link #start(Path, long, Consumer, Duration)}, and runs {@code caughtUp} on the
   * follower's thread each time it has delivered every complete line the file held when it
   * looked (first right after the backlog, then after each later read), so a reader can tell
   * "nothing more yet" from "not read yet".
   */
  public static EventFollower start(Path storeRoot, long afterSeq, Consumer<Event> sink,
      Runnable caughtUp, Duration pollInterval) {
    Objects.requireNonNull(storeRoot, "storeRoot");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(caughtUp, "caughtUp");
    Objects.requireNonNull(pollInterval, "pollInterval");
    ModelStore.createRoot(storeRoot);
    try {
      EventFollower f = new EventFollower(storeRoot.toAbsolutePath(), afterSeq, sink, caughtUp,
          pollInterval);
      f.thread.start();
      return f;
    } catch (IOException e) {
      throw new StoreException("cannot watch the store: " + IoErrors.reason(e), e);
    }
  }

  /**
   * The seq of the last event handed to the sink (the starting point until one is). It is set
   * before the sink is called, so a thread that has received event N from the sink (through any
   * hand-off that gives a happens-before edge, such as a concurrent queue) reads a value
   * {@code >= N}.
   */
  public long lastSeq() {
    return lastSeq;
  }

  private void loop() {
    try {
      while (!closed) {
        if (readNew() && !closed) {
          caughtUp.run();
        }
        WatchKey key = watcher.poll(pollMillis, TimeUnit.MILLISECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed
    } catch (RuntimeException | IOException e) {
      if (!closed) {
        log.warn("event follower on {} stopped: {}", file, e.toString());
      }
    } finally {
      close();
    }
  }

  /** Reads and delivers what was appended; true if that was every complete line there was. */
  private boolean readNew() throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return true;
    }
    if (size == offset) {
      return true;
    }
    byte[] bytes;
    try {
      bytes = lock.call(this::readCommitted);
    } catch (StoreException noLock) { // a store this process may not lock: read as it is
      bytes = readCommitted();
    }
    if (bytes == null) {
      return true;
    }
    deliver(bytes);
    return lastReadComplete && !closed;
  }

  /**
   * Reads what was appended since {@code offset} (up to 16 MiB); null if nothing was. Sets
   * {@link #lastReadComplete} to whether that reached the end of the file.
   */
  private byte[] readCommitted() throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (size < offset) {
      offset = 0; // replaced or truncated: read again, seq filtering drops what was delivered
    }
    if (size == offset) {
      lastReadComplete = true;
      return null;
    }
    byte[] bytes = new byte[(int) Math.min(size - offset, 16L << 20)];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      long pos = offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          break;
        }
        pos += n;
      }
    }
    lastReadComplete = bytes.length == size - offset;
    return bytes;
  }

  private void deliver(byte[] bytes) {
    int start = 0;
    for (int i = 0; i < bytes.length && !closed; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      start = i + 1;
      if (line.isBlank()) {
        continue;
      }
      Event e;
      try {
        e = Event.fromJson(line);
      } catch (StoreException bad) {
        log.warn("{}: skipping unreadable line: {}", file, bad.getMessage());
        continue;
      }
      if (e.seq() > lastSeq) {
        // Moved before the sink runs: whoever sees an event through the sink (a queue it fills,
        // say) then reads lastSeq() >= its seq, with no race against this thread.
        lastSeq = e.seq();
        sink.accept(e);
      }
    }
    offset += start;
  }

  /** Stops the follower; no event is delivered after this returns on the follower's thread. */
  @Override
  public void close() {
    closed = true;
    try {
      watcher.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
