package io.mlserve.dataset;

import io.mlserve.registry.Sha256;
import io.mlserve.store.IoErrors;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One dataset being added: its bytes go straight into a hidden temp directory in the store
 * (bounded by the size limit, hashed as they arrive), and {@link #commit} checks every row and
 * makes it a dataset, or {@link #abort} removes it. A writer killed in the middle leaves only
 * the hidden directory, which the store sweeps. Not thread-safe: one writer (a gRPC upload's
 * observer, a REST call, mlctl) drives it.
 */
public final class DatasetUpload implements AutoCloseable {
  private final DatasetStore store;
  private final Request request;
  private final Path tempDir;
  private final Path dataFile;
  private final FileChannel channel;
  private final MessageDigest sha = Sha256.digest();
  private final long maxBytes;
  private long size;
  private boolean done;

  /** What the writer asked for. */
  record Request(String model, String name, DatasetFormat format, String description,
      String actor, DatasetSchema schema, String checkedAgainst) {}

  DatasetUpload(DatasetStore store, Request request, Path tempDir, long maxBytes)
      throws IOException {
    this.store = store;
    this.request = request;
    this.tempDir = tempDir;
    this.maxBytes = maxBytes;
    this.dataFile = tempDir.resolve(request.format().fileName());
    this.channel = FileChannel.open(dataFile, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
  }

  /**
   * Appends bytes of the data file.
   *
   * @throws DatasetTooLargeException past the size limit (the upload is aborted)
   */
  public void write(byte[] bytes, int off, int len) {
    Objects.checkFromIndexSize(off, len, bytes.length);
    requireOpen();
    if (size + len > maxBytes) {
      abort();
      throw new DatasetTooLargeException(maxBytes);
    }
    try {
      store.files().ops().write(channel, ByteBuffer.wrap(bytes, off, len), size);
    } catch (IOException e) {
      abort();
      throw new StoreException("cannot write the dataset: " + IoErrors.reason(e), e);
    }
    sha.update(bytes, off, len);
    size += len;
  }

  /** Bytes written so far. */
  public long size() {
    return size;
  }

  /**
   * Checks every row and adds the dataset: its record is written beside the data, its event
   * appended, and its directory renamed into place (the commit point). On any failure nothing
   * is left.
   *
   * @param sha256OrNull the client's SHA-256 of what it sent, checked when given
   * @throws BadDatasetException naming the line or array and row at fault
   * @throws DatasetExistsException if the name was taken meanwhile
   */
  public DatasetInfo commit(String sha256OrNull) {
    requireOpen();
    try {
      store.files().ops().force(channel);
      channel.close();
      String digest = Sha256.hex(sha);
      if (sha256OrNull != null && !sha256OrNull.isBlank()
          && !sha256OrNull.equalsIgnoreCase(digest)) {
        throw new IllegalArgumentException("dataset sha256 " + digest + " differs from the"
            + " client's " + sha256OrNull + " (corrupted upload)");
      }
      DatasetInfo info = store.install(request, tempDir, dataFile, digest, size);
      done = true;
      return info;
    } catch (IOException e) {
      throw new StoreException("cannot write the dataset: " + IoErrors.reason(e), e);
    } finally {
      if (!done) {
        abort();
      }
    }
  }

  /** Removes everything written; idempotent. */
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // the directory goes anyway
    }
    DatasetFiles.discard(tempDir);
  }

  /** Aborts unless committed. */
  @Override
  public void close() {
    abort();
  }

  private void requireOpen() {
    if (done) {
      throw new IllegalStateException("this dataset upload is finished");
    }
  }
}
