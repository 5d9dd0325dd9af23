package io.mlserve.approval;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.RecordFiles;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes a model's {@code policy.json} and its versions' {@code approval.json} in the
 * store. Writes are atomic (temp file, fsync, rename through the store's {@code AtomicFiles})
 * and the rename (for a cleared policy, the removal) is the commit point of the enclosing
 * registry change ({@code StoreLock#committed}); writers hold the store lock. Reads take no lock
 * (they see a file before or after a rename), refuse symlinked records and records over 1 MiB.
 * Thread-safe.
 */
public final class ApprovalFiles {
  /** The policy's file name in the model directory. */
  public static final String POLICY = "policy.json";
  /** The approval record's file name in the version directory. */
  public static final String APPROVAL = "approval.json";
  private static final int MAX_BYTES = 1 << 20;

  private final ModelStore store;

  public ApprovalFiles(ModelStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * The model's policy; empty if it has none.
   *
   * @throws NotFoundException if the model does not exist
   * @throws StoreException if the file is unreadable or not a valid policy
   */
  public Optional<Policy> policy(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return read(store.modelDirectory(model).resolve(POLICY), model + "/" + POLICY)
        .map(bytes -> {
          try {
            return PolicyJson.parse(bytes);
          } catch (PolicyException e) {
            throw new StoreException(model + "/" + POLICY + " is not a valid policy: "
                + e.getMessage(), e);
          }
        });
  }

  /**
   * The version's approval record; {@link Approval#none} if it has none.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public Approval approval(String model, String version) {
    Path file = store.versionDir(model, version).resolve(APPROVAL);
    return read(file, model + ":" + version + " " + APPROVAL)
        .map(bytes -> {
          try {
            JsonNode n = PolicyJson.MAPPER.readTree(bytes);
            return ApprovalJson.fromJson(n);
          } catch (IOException e) {
            throw new StoreException("the approval record of " + model + ":" + version
                + " is not valid JSON", e);
          }
        }).orElse(Approval.none(model, version));
  }

  /** Replaces (or clears, {@code policyOrNull} null) the model's policy: the commit point. */
  public void writePolicy(String model, Policy policyOrNull) {
    Path file = store.modelDirectory(model).resolve(POLICY);
    store.lock().call(() -> {
      if (policyOrNull == null) {
        if (Files.deleteIfExists(file)) {
          store.files().syncAfterCommit(file.getParent());
        }
      } else {
        store.files().write(file, PolicyJson.bytes(policyOrNull));
      }
      store.lock().committed();
      return null;
    });
  }

  /** Replaces the version's approval record: the rename is the commit point. */
  public void writeApproval(Approval a) {
    Path file = store.versionDir(a.model(), a.version()).resolve(APPROVAL);
    byte[] bytes = ApprovalJson.bytes(a);
    store.lock().call(() -> {
      store.files().write(file, bytes);
      store.lock().committed();
      return null;
    });
  }

  private static Optional<byte[]> read(Path file, String what) {
    return RecordFiles.read(file, what, MAX_BYTES);
  }
}
