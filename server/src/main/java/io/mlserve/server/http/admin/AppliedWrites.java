package io.mlserve.server.http.admin;

import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.reload.ChangeApplier;
import java.util.Objects;

/**
 * Read-your-writes for the REST admin API, as {@code ReadYourWrites} gives the admin gRPC
 * service: a successful change of a model through this server (a promotion, a rollback, a
 * split, a shadow, a rollout step...) is answered only once this server applied it to what it
 * serves, so the client's next prediction sees it. Mutations are the non-GET routes under
 * {@code /api/v1/models/{model}}; failed calls are answered at once. The wait is bounded by the
 * {@link ChangeApplier} and runs on the admin pool thread that made the change, never on an event
 * loop. This class is thread-safe.
 */
public final class AppliedWrites {
  private static final String PREFIX = "/api/v1/models/{model}";

  private final ChangeApplier applier;

  public AppliedWrites(ChangeApplier applier) {
    this.applier = Objects.requireNonNull(applier, "applier");
  }

  /** Wraps every mutation of a model among the routes added so far. */
  void decorate(Routes routes) {
    routes.decorate((method, pattern) -> !method.equals("GET") && pattern.startsWith(PREFIX),
        this::wrap);
  }

  private Endpoint wrap(Endpoint inner) {
    return call -> {
      String model = call.param("model");
      return inner.handle(call).thenApply(reply -> {
        if (reply.status() < 300 && model != null) {
          applier.awaitQuietly(model);
        }
        return reply;
      });
    };
  }
}
