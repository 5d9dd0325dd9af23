package io.mlserve.registry;

import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelFormat;
import io.mlserve.store.ModelStore;
import io.mlserve.store.SemVer;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.BinaryOperator;

/**
 * Registration's install sequence for {@link ModelRegistry#register}: checks the request,
 * assembles the version in a temp directory, validates it, runs the request's
 * {@link InstallStep} (the drift reference), then, under the store lock, appends the history line
 * and the event and renames the directory into place (the commit point). On any failure nothing
 * is left behind. Thread-safe (the commit runs under the store lock).
 */
final class VersionInstaller {
  private final ModelStore store;
  private final EventLog events;
  private final ArtifactValidator validator;
  private final Clock clock;
  private final Recovery recovery;
  private final BinaryOperator<String> nextVersion;

  /** @param nextVersion (model, bump) to the version a bump gives now */
  VersionInstaller(ModelStore store, EventLog events, ArtifactValidator validator, Clock clock,
      Recovery recovery, BinaryOperator<String> nextVersion) {
    this.store = store;
    this.events = events;
    this.validator = validator;
    this.clock = clock;
    this.recovery = recovery;
    this.nextVersion = nextVersion;
  }

  Manifest register(RegisterRequest req) {
    Objects.requireNonNull(req, "req");
    String model = RegisterChecks.modelName(req.model());
    SemVer version = RegisterChecks.version(req.version());
    ModelFormat format = RegisterChecks.format(req.format());
    RegisterChecks.actor(req.actor());
    RegisterChecks.signature(req.signature());
    RegisterChecks.artifact(req.artifact());
    if (req.examples() != null) {
      RegisterChecks.examples(req.examples());
    }
    if (req.bump() == null) { // a bump's version is resolved again under the lock
      RegisterChecks.rejectDuplicate(store, model, version);
    }

    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Path tmp = store.createTempVersionDir(model);
    Manifest manifest;
    try {
      Manifest assembled = VersionAssembler.assemble(store.files(), tmp, req, format, now);
      validate(tmp, assembled);
      beforeInstall(req.beforeInstall(), tmp, assembled);
      manifest = store.lock().call(() -> {
        recovery.recover(model);
        Manifest m = assembled;
        if (req.bump() != null) {
          String next = nextVersion.apply(model, req.bump());
          if (!next.equals(m.version())) {
            m = VersionAssembler.renumber(store.files(), tmp, m, next);
            if (req.beforeInstall() != null) {
              req.beforeInstall().renumbered(tmp, m);
            }
          }
        }
        String v = m.version();
        RegisterChecks.rejectDuplicate(store, model, SemVer.parse(v));
        store.appendHistory(HistoryEntry.of(now.toEpochMilli(), model, v, null,
            Stage.DEVELOPMENT, req.actor(), "registered"), events.nextSeq());
        events.appendQueued(Event.registered(model, v, req.runId(), now.toEpochMilli()));
        store.installVersion(model, v, tmp); // the commit point
        return m;
      });
    } catch (RuntimeException | Error e) {
      if (Files.exists(tmp)) { // not installed: leave nothing behind
        try {
          store.discardTempVersionDir(model, tmp);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
    events.deliverPending();
    return manifest;
  }

  private static void beforeInstall(InstallStep step, Path dir, Manifest manifest) {
    if (step == null) {
      return;
    }
    try {
      step.run(dir, manifest);
    } catch (io.mlserve.store.StoreException e) { // I/O, or something gone: as it is
      throw e;
    } catch (Exception e) {
      throw new InvalidRequestException((e.getMessage() != null ? e.getMessage()
          : "the step before install failed") + " (" + manifest.name() + ":" + manifest.version()
          + " was not registered)", e);
    }
  }

  private void validate(Path dir, Manifest manifest) {
    try {
      validator.validate(dir, manifest);
    } catch (Exception e) {
      throw new InvalidRequestException("validation of " + manifest.name() + ":"
          + manifest.version() + " failed: " + (e.getMessage() != null ? e.getMessage() : e), e);
    }
  }
}
