package io.mlserve.server.http.admin;

import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.Routes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for the REST admin API, as {@code ReadYourWrites} gives the admin gRPC
 * service: a successful change of a model through this server (a promotion, a rollback, a
 * split, a shadow, a rollout step...) is answered only once this server applied it to what it
 * serves, so the client's next prediction sees it. Mutations are the non-GET routes under
 * {@code /api/v1/models/{model}}; failed calls are answered at once. The wait is bounded by the
 * {@link Applier} and runs on the admin pool thread that made the change, never on an event
 * loop. This class is thread-safe.
 */
public final class AppliedWrites {
  private static final Logger log = LoggerFactory.getLogger(AppliedWrites.class);
  private static final String PREFIX = "/api/v1/models/{model}";

  /** Applies what the store says of a model to this server, waiting a bounded time. */
  @FunctionalInterface
  public interface Applier {
    /** Does nothing: changes are applied when the server next reads the event log. */
    Applier NONE = model -> { };

    void awaitApplied(String model) throws InterruptedException;
  }

  private final Applier applier;

  public AppliedWrites(Applier applier) {
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
          try {
            applier.awaitApplied(model);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.warn("{}: applying a change made through this server failed; it is applied on"
                + " the next event", model, e);
          }
        }
        return reply;
      });
    };
  }
}
