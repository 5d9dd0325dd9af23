package io.mlserve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's append-only event log, {@code <store>/events.jsonl}, and its in-process
 * subscribers.
 *
 * <p>Each append takes the store lock ({@link StoreLock}), assigns the next {@code seq}
 * (strictly increasing across all processes that use the store: if the file grew since this
 * instance last wrote, the last seq is re-read from it), writes one JSON line and fsyncs. An
 * unterminated last line left by a crash is ignored by readers and cut off when the log is
 * opened. An append inside a locked section that then fails is taken back (the line truncated
 * away, never delivered), so the event log doubles as the registry's journal: a durable event is
 * a committed change.
 *
 * <p>Subscribers see events of this JVM only, in seq order, after they are durable and outside
 * the store lock: {@link #append} delivers at once; a writer that appends inside its own locked
 * section uses {@link #appendQueued} and calls {@link #deliverPending} after unlocking. A
 * subscriber may itself append (its event is delivered after the current one). A throwing
 * subscriber is logged and skipped. This class is thread-safe.
 */
public final class EventLog implements AutoCloseable {
  /** The log's file name in the store root. */
  public static final String FILE_NAME = "events.jsonl";
  private static final String MODEL_EVENT_PREFIX = "ml.model.";

  private static final Logger log = LoggerFactory.getLogger(EventLog.class);
  private static final ObjectWriter WRITER = StoreJson.MAPPER.writerFor(Event.class);
  private static final ObjectReader READER = StoreJson.MAPPER.readerFor(Event.class);

  private final Path file;
  private final StoreLock lock;
  private final AtomicFiles files;
  private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
  /** Durable events not yet delivered, in seq order (enqueued under the store lock). */
  private final Queue<Event> pending = new ConcurrentLinkedQueue<>();
  /** Set while one thread delivers; not reentrant, so a nested append only enqueues. */
  private final AtomicBoolean delivering = new AtomicBoolean();
  private volatile boolean closed;

  // Guarded by lock.
  private long lastSeq;
  // Guarded by lock: the file size after this instance's last read or write.
  private long knownSize = -1;
  // Guarded by lock: the last ml.model.* event of each model, as of knownSize.
  private final Map<String, Event> lastModelEvents = new HashMap<>();

  private EventLog(Path file, StoreLock lock, AtomicFiles files) {
    this.file = file;
    this.lock = lock;
    this.files = files;
  }

  /**
   * Opens the log of the store at {@code storeRoot} (creating the directory if absent), cuts off
   * a torn last line and recovers the last seq from the file.
   */
  public static EventLog open(Path storeRoot) {
    return open(storeRoot, FileOps.DEFAULT);
  }

  /** As {@link #open(Path)}, writing through {@code ops} (tests inject failing disks). */
  public static EventLog open(Path storeRoot, FileOps ops) {
    Objects.requireNonNull(storeRoot, "storeRoot");
    Objects.requireNonNull(ops, "ops");
    ModelStore.createRoot(storeRoot);
    EventLog events = new EventLog(storeRoot.resolve(FILE_NAME), StoreLock.forRoot(storeRoot),
        new AtomicFiles(ops));
    events.lock.call(() -> {
      JsonLines.repairTail(events.file);
      events.refreshLastSeq();
      return null;
    });
    return events;
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** The seq of the last event in the log (0 if none), as last seen by this instance. */
  public long lastSeq() {
    return lock.call(() -> lastSeq);
  }

  /**
   * Appends {@code event} durably with the next seq (any seq it carries is replaced), then
   * delivers it to subscribers.
   *
   * @return the event as written, with its seq
   */
  public Event append(Event event) {
    Event written = appendQueued(event);
    deliverPending();
    return written;
  }

  /**
   * Appends {@code event} durably with the next seq and queues it for subscribers without
   * delivering it: for writers that append inside a locked section and must call
   * {@link #deliverPending} once they have released the store lock.
   */
  public Event appendQueued(Event event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException("event log " + file + " is closed");
    }
    return lock.call(() -> {
      refreshIfChanged();
      Event written = event.withSeq(lastSeq + 1);
      String line = encode(written);
      long seqBefore = lastSeq;
      lock.onFailure(() -> {
        pending.remove(written);
        lastSeq = seqBefore;
        knownSize = -1; // re-read after the line is truncated away
      });
      knownSize = JsonLines.append(files, lock, file, line);
      lastSeq = written.seq();
      remember(written);
      pending.add(written);
      return written;
    });
  }

  /**
   * The seq the next append will get, re-read if another writer appended: for records written
   * just before the event of the same change (history lines). Call holding the lock.
   */
  public long nextSeq() {
    return lock.call(() -> {
      refreshIfChanged();
      return lastSeq + 1;
    });
  }

  /**
   * The last {@code ml.model.*} event of {@code model} in the log (the journal record of the
   * model's latest registry change), re-read if another writer appended. Call holding the lock
   * to act on it.
   */
  public Optional<Event> lastModelEvent(String model) {
    Objects.requireNonNull(model, "model");
    return lock.call(() -> {
      refreshIfChanged();
      return Optional.ofNullable(lastModelEvents.get(model));
    });
  }

  /**
   * Delivers queued events to subscribers, in seq order. Returns at once if another thread (or
   * an outer call on this thread) is delivering: that call delivers these events too.
   */
  public void deliverPending() {
    while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        Event e;
        while ((e = pending.poll()) != null) {
          for (Consumer<Event> s : subscribers) {
            try {
              s.accept(e);
            } catch (RuntimeException ex) {
              log.warn("event subscriber {} failed on seq {}; continuing", s, e.seq(), ex);
            }
          }
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  /**
   * Events with a seq greater than {@code seq}, in order, read from the file holding the store
   * lock, so only committed events are returned (none whose change is still in progress or
   * about to be taken back). Where the lock cannot be taken (a read-only store), read without.
   */
  public List<Event> readSince(long seq) {
    List<Event> all;
    try {
      all = lock.call(this::readAll);
    } catch (StoreException noLock) {
      all = null;
    }
    try {
      List<Event> out = new ArrayList<>();
      for (Event e : all != null ? all : readAll()) {
        if (e.seq() > seq) {
          out.add(e);
        }
      }
      return out;
    } catch (IOException e) {
      throw new StoreException("cannot read the event log: " + IoErrors.reason(e), e);
    }
  }

  /**
   * Registers an in-process subscriber for events appended after this call.
   *
   * @return closing it unsubscribes
   */
  public Subscription subscribe(Consumer<Event> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Stops appends and drops subscribers. Idempotent. */
  @Override
  public void close() {
    closed = true;
    subscribers.clear();
  }

  /** An unsubscribe handle. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private void refreshIfChanged() throws IOException {
    if (sizeOrZero(file) != knownSize) {
      refreshLastSeq(); // another process (or EventLog instance) appended
    }
  }

  private void refreshLastSeq() throws IOException {
    long size = sizeOrZero(file);
    long max = 0;
    lastModelEvents.clear();
    for (Event e : readAll()) {
      max = Math.max(max, e.seq());
      remember(e);
    }
    lastSeq = max;
    knownSize = size;
  }

  private void remember(Event e) {
    if (e.eventType().startsWith(MODEL_EVENT_PREFIX)) {
      lastModelEvents.put(e.modelName(), e);
    }
  }

  private List<Event> readAll() throws IOException {
    List<Event> events = new ArrayList<>();
    for (String line : JsonLines.readCompleteLines(file)) {
      try {
        events.add(READER.readValue(line));
      } catch (JsonProcessingException e) {
        log.warn("{}: skipping unreadable line: {}", file, e.getOriginalMessage());
      }
    }
    return events;
  }

  private static long sizeOrZero(Path p) throws IOException {
    return Files.exists(p) ? Files.size(p) : 0;
  }

  private static String encode(Event e) throws JsonProcessingException {
    return WRITER.writeValueAsString(e);
  }
}
