package io.mlserve.server.drift;

import io.mlserve.server.tensor.Tensor;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live rows of one served version: a fixed window of the last sampled rows (inputs then
 * outputs, as floats, {@link RowLayout}), and until the monitor releases it, a buffer of the
 * first rows ever sampled (the live reference of a version that has no stored one).
 *
 * <p>Writing ({@link #offer}) takes no lock and allocates nothing. Each sampled row claims a
 * ticket from one atomic cursor; ticket {@code t} goes to slot {@code t % capacity}. A slot has
 * a stamp: 0 empty, {@code -1} while a writer owns it (taken by compare-and-set, so two writers
 * that lapped the window never write one slot at once; the later one drops its row and counts
 * it), else the ticket + 1 of the row it holds. A reader copies a slot between two reads of its
 * stamp and keeps the row only when the stamp did not change (a seqlock read), so it never keeps
 * a torn row. A request with many rows contributes at most {@code rowsPerRequest} of them,
 * evenly spaced, so one bulk request cannot flush the window; with {@code sampleEvery} k &gt; 1
 * a request is sampled with probability 1/k (thread-local random: nothing shared is written
 * for the others).
 *
 * <p>This class is thread-safe: any number of writers, readers serialised by the caller (the
 * monitor's one thread) or not (each read is consistent per row).
 */
public final class DriftSampler {
  private static final long WRITING = -1;

  private final RowLayout layout;
  private final int width;
  private final int capacity;
  private final int rowsPerRequest;
  private final int sampleEvery;
  private final int captureRows;
  private final float[] window;
  private final AtomicLongArray stamps;
  private final AtomicLong cursor = new AtomicLong();
  private final LongAdder mismatched = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private volatile float[] capture;
  private final AtomicInteger captured = new AtomicInteger();

  /**
   * @param layout where each tensor's values go in a row
   * @param config window size, sampling rate, rows per request, reference rows, value budget
   */
  DriftSampler(RowLayout layout, DriftConfig config) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.width = layout.width();
    int fit = Math.max(1, config.maxWindowValues() / width);
    this.capacity = Math.min(config.windowRows(), fit);
    this.captureRows = Math.min(config.referenceRows(), fit);
    this.rowsPerRequest = config.rowsPerRequest();
    this.sampleEvery = Math.max(1, config.sampleEvery());
    this.window = new float[capacity * width];
    this.stamps = new AtomicLongArray(capacity);
    this.capture = new float[captureRows * width];
  }

  RowLayout layout() {
    return layout;
  }

  /** Rows the window holds at most. */
  public int capacity() {
    return capacity;
  }

  /** Rows the live-reference buffer takes (the first rows sampled). */
  int captureRows() {
    return captureRows;
  }

  /**
   * Samples an answered request: returns at once, never throws for bad tensors (a request
   * whose tensors do not match the signature is counted and skipped).
   *
   * @param inputs the request's inputs, in any order (matched by name)
   * @param outputs the outputs, in signature order (matched by name)
   */
  public void offer(List<Tensor> inputs, Tensor[] outputs) {
    if (sampleEvery > 1 && ThreadLocalRandom.current().nextInt(sampleEvery) != 0) {
      return;
    }
    long rows = rows(inputs, outputs);
    if (rows <= 0) {
      if (rows < 0) {
        mismatched.increment();
      }
      return;
    }
    int m = (int) Math.min(rows, rowsPerRequest);
    long first = cursor.getAndAdd(m);
    for (int j = 0; j < m; j++) {
      // Row centres of m equal parts: rows 0..n-1 evenly covered, whatever n.
      long r = ((2L * j + 1) * rows) / (2L * m);
      write(first + j, inputs, outputs, r);
    }
  }

  /** The request's rows, or -1 when a tensor is missing or its row width is not the layout's. */
  private long rows(List<Tensor> inputs, Tensor[] outputs) {
    long rows = -1;
    List<String> in = layout.inputs();
    for (int i = 0; i < in.size(); i++) {
      Tensor t = find(inputs, in.get(i), i);
      long r = t == null ? -1 : rowsOf(t, layout.inputWidths()[i]);
      if (r < 0 || (rows >= 0 && r != rows)) {
        return -1;
      }
      rows = r;
    }
    List<String> out = layout.outputs();
    for (int i = 0; i < out.size(); i++) {
      Tensor t = find(outputs, out.get(i), i);
      if (t == null || rowsOf(t, layout.outputWidths()[i]) != rows) {
        return -1;
      }
    }
    return rows;
  }

  private static long rowsOf(Tensor t, int rowWidth) {
    if (!t.dataType().isFixedSize()) {
      return -1; // BYTES: not a number to sample (RowLayout leaves such tensors out)
    }
    if (t.rank() == 0) {
      return rowWidth == 1 ? 1 : -1;
    }
    long rows = t.dim(0);
    return TensorValues.elements(t) == rows * rowWidth ? rows : -1;
  }

  private void write(long ticket, List<Tensor> inputs, Tensor[] outputs, long row) {
    float[] cap = capture;
    if (cap != null && ticket < captureRows) {
      fill(cap, (int) ticket * width, inputs, outputs, row);
      captured.incrementAndGet(); // publishes the row
    }
    int slot = (int) (ticket % capacity);
    long s = stamps.get(slot);
    if (s == WRITING || !stamps.compareAndSet(slot, s, WRITING)) {
      dropped.increment(); // a writer that lapped the window owns the slot now
      return;
    }
    fill(window, slot * width, inputs, outputs, row);
    stamps.set(slot, ticket + 1);
  }

  private void fill(float[] dest, int at, List<Tensor> inputs, Tensor[] outputs, long row) {
    List<String> in = layout.inputs();
    int[] iw = layout.inputWidths();
    for (int i = 0; i < iw.length; i++) {
      TensorValues.copy(find(inputs, in.get(i), i), row * iw[i], iw[i], dest, at);
      at += iw[i];
    }
    List<String> out = layout.outputs();
    int[] ow = layout.outputWidths();
    for (int i = 0; i < ow.length; i++) {
      TensorValues.copy(find(outputs, out.get(i), i), row * ow[i], ow[i], dest, at);
      at += ow[i];
    }
  }

  private static Tensor find(List<Tensor> tensors, String name, int hint) {
    if (hint < tensors.size() && tensors.get(hint).name().equals(name)) {
      return tensors.get(hint);
    }
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return tensors.get(i);
      }
    }
    return null;
  }

  private static Tensor find(Tensor[] tensors, String name, int hint) {
    if (tensors == null) {
      return null;
    }
    if (hint < tensors.length && tensors[hint].name().equals(name)) {
      return tensors[hint];
    }
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Copies the window's complete rows into {@code dest} (room for {@link #capacity} rows),
   * skipping empty slots and rows being overwritten while copied.
   *
   * @return rows copied; row {@code i} is {@code dest[i * width .. (i + 1) * width)}
   */
  int read(float[] dest) {
    int n = 0;
    for (int slot = 0; slot < capacity; slot++) {
      long s = stamps.get(slot);
      if (s <= 0) {
        continue;
      }
      System.arraycopy(window, slot * width, dest, n * width, width);
      VarHandle.acquireFence(); // the copy's loads happen before the stamp is read again
      if (stamps.get(slot) == s) {
        n++;
      }
    }
    return n;
  }

  /** The first {@link #captureRows} rows sampled once all are written, else null. */
  float[] capturedRows() {
    float[] cap = capture;
    return cap != null && captured.get() >= captureRows ? cap : null;
  }

  /** First rows written into the live-reference buffer so far. */
  int capturedCount() {
    return Math.min(captured.get(), captureRows);
  }

  /** Frees the live-reference buffer: the version's reference no longer needs live rows. */
  void releaseCapture() {
    capture = null;
  }

  /** Rows sampled since the version started serving. */
  public long sampledRows() {
    return cursor.get();
  }

  /** Requests skipped because their tensors did not match the version's signature. */
  long mismatched() {
    return mismatched.sum();
  }

  /** Sampled rows dropped because a writer that lapped the window held their slot. */
  long dropped() {
    return dropped.sum();
  }

  /** The bytes this sampler holds (window, stamps, live-reference buffer while kept). */
  long bytes() {
    float[] cap = capture;
    return 4L * window.length + 8L * capacity + (cap == null ? 0 : 4L * cap.length);
  }
}
