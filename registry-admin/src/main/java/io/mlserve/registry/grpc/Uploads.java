package io.mlserve.registry.grpc;

import static io.mlserve.registry.grpc.AdminProtos.orNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.experiments.RunStore;
import io.mlserve.proto.admin.v1.ArtifactChunk;
import io.mlserve.proto.admin.v1.ArtifactHeader;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.RegisterChunk;
import io.mlserve.proto.admin.v1.RegisterHeader;
import io.mlserve.proto.admin.v1.Run;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.registry.RegisterSpec;
import io.mlserve.registry.Registrations;
import io.mlserve.registry.Sha256;
import io.mlserve.store.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * The client-streaming uploads (Register, LogArtifact): a header message, then bytes spooled to
 * a private temp file, refused with RESOURCE_EXHAUSTED past {@code maxBytes}; on completion the
 * registry (or run store) copies the file and the temp file is deleted. Nothing reaches the
 * store before the upload is complete and, for Register, valid. Thread-safe (each call has its
 * own observer, which gRPC calls serially).
 */
final class Uploads {
  private final ModelRegistry registry;
  private final RunStore runs;
  private final ReferenceComputer references;
  private final long maxBytes;
  private final String validationNote;

  Uploads(ModelRegistry registry, RunStore runs, ReferenceComputer references, long maxBytes,
      String validationNote) {
    this.registry = registry;
    this.runs = runs;
    this.references = references;
    this.maxBytes = maxBytes;
    this.validationNote = validationNote;
  }

  StreamObserver<RegisterChunk> register(String actor, StreamObserver<ModelVersion> out) {
    return new Spool<RegisterChunk, RegisterHeader, ModelVersion>(out) {
      @Override
      RegisterHeader header(RegisterChunk c) {
        return c.hasHeader() ? c.getHeader() : null;
      }

      @Override
      byte[] data(RegisterChunk c) {
        return c.hasHeader() ? null : c.getData().toByteArray();
      }

      @Override
      ModelVersion finish(RegisterHeader h, Path file, long size, String sha256)
          throws IOException {
        if (!h.getSha256().isEmpty() && size > 0 && !h.getSha256().equalsIgnoreCase(sha256)) {
          throw new IllegalArgumentException("artifact sha256 " + sha256
              + " differs from the client's " + h.getSha256() + " (corrupted upload)");
        }
        Path examples = null;
        if (!h.getExamplesJson().isEmpty()) {
          examples = Files.createTempFile("mlserve-examples-", ".json");
          Files.write(examples, h.getExamplesJson().toByteArray());
        }
        try {
          RegisterSpec spec = new RegisterSpec(h.getModel(), orNull(h.getVersion()),
              orNull(h.getBump()), size > 0 ? file : null, orNull(h.getFormat()),
              h.hasSignature() ? AdminProtos.signature(h.getSignature()) : null,
              AdminProtos.serving(h.getServingJson()), orNull(h.getRunId()),
              orNull(h.getDescription()), examples, actor);
          RegisterRequest req = Registrations.resolve(spec, registry, runs);
          if (!h.getReference().isBlank()) { // profiled before the version becomes visible
            req = req.withBeforeInstall(references.step(req.model(), req.version(),
                req.signature(), h.getReference().trim()));
          }
          Manifest m = registry.register(req);
          return AdminProtos.version(m, registry.stageOf(m.name(), m.version()),
              validationNote);
        } finally {
          if (examples != null) {
            Files.deleteIfExists(examples);
          }
        }
      }
    };
  }

  StreamObserver<ArtifactChunk> artifact(StreamObserver<Run> out) {
    return new Spool<ArtifactChunk, ArtifactHeader, Run>(out) {
      @Override
      ArtifactHeader header(ArtifactChunk c) {
        return c.hasHeader() ? c.getHeader() : null;
      }

      @Override
      byte[] data(ArtifactChunk c) {
        return c.hasHeader() ? null : c.getData().toByteArray();
      }

      @Override
      Run finish(ArtifactHeader h, Path file, long size, String sha256) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
          return AdminProtos.run(runs.logArtifact(h.getModel(), h.getRunId(), h.getName(), in));
        }
      }
    };
  }

  /** Header first, then bytes into a temp file, then {@link #finish}. */
  private abstract class Spool<C, H, R> implements StreamObserver<C> {
    private final StreamObserver<R> out;
    private H header;
    private Path file;
    private OutputStream sink;
    private MessageDigest sha;
    private long size;
    private boolean failed;

    Spool(StreamObserver<R> out) {
      this.out = out;
    }

    abstract H header(C chunk);

    abstract byte[] data(C chunk);

    abstract R finish(H header, Path file, long size, String sha256) throws IOException;

    @Override
    public void onNext(C chunk) {
      if (failed) {
        return;
      }
      try {
        H h = header(chunk);
        if (h != null) {
          if (header != null) {
            throw new IllegalArgumentException("the header must be sent once, first");
          }
          header = h;
          file = Files.createTempFile("mlserve-upload-", ".bin");
          sha = Sha256.digest();
          sink = new DigestOutputStream(Files.newOutputStream(file), sha);
          return;
        }
        if (header == null) {
          throw new IllegalArgumentException("the first message must be the header");
        }
        byte[] bytes = data(chunk);
        size += bytes.length;
        if (size > maxBytes) {
          fail(Status.RESOURCE_EXHAUSTED.withDescription("artifact larger than the limit of "
              + maxBytes + " bytes").asRuntimeException());
          return;
        }
        sink.write(bytes);
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      failed = true;
      discard();
    }

    @Override
    public void onCompleted() {
      if (failed) {
        return;
      }
      if (header == null) {
        fail(new IllegalArgumentException("no header received"));
        return;
      }
      R result;
      try {
        sink.close();
        result = finish(header, file, size, Sha256.hex(sha));
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      } finally {
        discard();
      }
      out.onNext(result);
      out.onCompleted();
    }

    private void fail(Throwable e) {
      failed = true;
      discard();
      out.onError(AdminErrors.toStatus(e instanceof IOException
          ? new io.mlserve.store.StoreException("upload failed: " + e, e) : e));
    }

    private void discard() {
      try {
        if (sink != null) {
          sink.close();
        }
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException ignored) {
        // a temp file in the system temp directory
      }
    }
  }
}
