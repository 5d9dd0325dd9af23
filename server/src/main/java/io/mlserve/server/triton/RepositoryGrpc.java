package io.mlserve.server.triton;

import io.mlserve.proto.inference.ModelRepositoryParameter;
import io.mlserve.proto.inference.RepositoryIndexRequest;
import io.mlserve.proto.inference.RepositoryIndexResponse;
import io.mlserve.proto.inference.RepositoryModelLoadRequest;
import io.mlserve.proto.inference.RepositoryModelLoadResponse;
import io.mlserve.proto.inference.RepositoryModelUnloadRequest;
import io.mlserve.proto.inference.RepositoryModelUnloadResponse;
import io.mlserve.server.core.InferenceException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC face of {@link RepositoryService}: decodes Triton's repository messages, runs the call
 * on a small bounded pool of its own (loads wait for the reload path, so they never run on a
 * transport thread; a full queue fails with RESOURCE_EXHAUSTED) and encodes the answer. The
 * admin token for load and unload is checked before a call gets here, by the admin interceptor.
 *
 * <p>This class is thread-safe.
 */
public final class RepositoryGrpc implements AutoCloseable {
  /** Calls queued beyond the running one before RESOURCE_EXHAUSTED. */
  static final int QUEUE = 16;

  private final RepositoryService repository;
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(QUEUE), r -> {
        Thread t = new Thread(r, "mlserve-repository");
        t.setDaemon(true);
        return t;
      });

  public RepositoryGrpc(RepositoryService repository) {
    this.repository = Objects.requireNonNull(repository, "repository");
    pool.allowCoreThreadTimeOut(true);
  }

  /** The repository calls this adapter runs. */
  public RepositoryService service() {
    return repository;
  }

  public CompletableFuture<RepositoryIndexResponse> index(RepositoryIndexRequest req) {
    return run(() -> {
      requireRepository(req.getRepositoryName());
      RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
      for (RepositoryEntry e : repository.index(req.getReady())) {
        b.addModels(RepositoryIndexResponse.ModelIndex.newBuilder().setName(e.name())
            .setVersion(e.version()).setState(e.state()).setReason(e.reason()));
      }
      return b.build();
    });
  }

  public CompletableFuture<RepositoryModelLoadResponse> load(RepositoryModelLoadRequest req) {
    return run(() -> {
      requireRepository(req.getRepositoryName());
      repository.load(req.getModelName(), parameters(req.getParametersMap()));
      return RepositoryModelLoadResponse.getDefaultInstance();
    });
  }

  public CompletableFuture<RepositoryModelUnloadResponse> unload(
      RepositoryModelUnloadRequest req) {
    return run(() -> {
      requireRepository(req.getRepositoryName());
      repository.unload(req.getModelName(), parameters(req.getParametersMap()));
      return RepositoryModelUnloadResponse.getDefaultInstance();
    });
  }

  /** This server has one repository, its model store, addressed by the empty name. */
  private static void requireRepository(String name) {
    if (!name.isEmpty()) {
      throw InferenceException.notFound("unknown repository '" + name + "': this server has"
          + " one repository (its model store); leave repository_name empty");
    }
  }

  private static Map<String, Object> parameters(Map<String, ModelRepositoryParameter> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    in.forEach((name, p) -> out.put(name, switch (p.getParameterChoiceCase()) {
      case BOOL_PARAM -> p.getBoolParam();
      case INT64_PARAM -> p.getInt64Param();
      case STRING_PARAM -> p.getStringParam();
      case BYTES_PARAM -> p.getBytesParam().toByteArray();
      case PARAMETERCHOICE_NOT_SET -> throw InferenceException.invalid(
          "parameter '" + name + "' has no value");
    }));
    return out;
  }

  private <T> CompletableFuture<T> run(Callable<T> work) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          out.complete(work.call());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.completeExceptionally(InferenceException.unavailable("server is shutting down"));
        } catch (Exception e) {
          out.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(new InferenceException(
          InferenceException.Kind.RESOURCE_EXHAUSTED, "too many repository calls queued ("
              + QUEUE + "); retry shortly"));
    }
    return out;
  }

  /** Stops the pool after the calls already queued. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
