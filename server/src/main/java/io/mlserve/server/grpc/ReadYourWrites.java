package io.mlserve.server.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.mlserve.server.reload.ChangeApplier;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Read-your-writes for the admin service a server hosts: a successful change of a model through
 * this server (a promotion, a split, a shadow, a rollout...) is answered only once this server
 * has applied it to what it serves, so a client's next request sees it. Without this the answer
 * would come as soon as the store was written, and the server would apply the change on its
 * next poll of the event log (up to a few hundred ms later). Other servers on the same store
 * still follow the log.
 *
 * <p>The model is the request's top-level {@code model} field; calls without one, reads
 * ({@code Get*}, {@code List*}, {@code History}, {@code Watch*}) and failed calls are not held.
 * The wait is bounded by the {@link ChangeApplier} (a change still in progress then, e.g. a large
 * model's load, completes in the background and the answer goes out). This class is
 * thread-safe.
 */
public final class ReadYourWrites implements ServerInterceptor {
  private static final Set<String> READ_PREFIXES = Set.of("Get", "List", "History", "Watch");

  private final ChangeApplier applier;

  public ReadYourWrites(ChangeApplier applier) {
    this.applier = Objects.requireNonNull(applier, "applier");
  }

  static boolean isRead(String method) {
    return READ_PREFIXES.stream().anyMatch(method::startsWith);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (method == null || isRead(method)) {
      return next.startCall(call, headers);
    }
    AtomicReference<String> model = new AtomicReference<>();
    ServerCall<Q, R> holding = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        String m = model.get();
        if (status.isOk() && m != null) {
          applier.awaitQuietly(m);
        }
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(holding, headers)) {
      @Override
      public void onMessage(Q message) {
        if (model.get() == null && message instanceof Message m) {
          FieldDescriptor f = m.getDescriptorForType().findFieldByName("model");
          if (f != null && f.getJavaType() == FieldDescriptor.JavaType.STRING
              && !f.isRepeated()) {
            String v = (String) m.getField(f);
            if (!v.isEmpty()) {
              model.set(v);
            }
          }
        }
        super.onMessage(message);
      }
    };
  }
}
