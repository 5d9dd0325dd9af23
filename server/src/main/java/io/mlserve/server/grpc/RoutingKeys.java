package io.mlserve.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.ModelInferRequest;

/**
 * Where a gRPC inference call's routing key comes from: the request parameter
 * {@code routing_key} (a string parameter of the OIP request), else the metadata header
 * {@code x-mlserve-routing-key}, which {@link #interceptor()} copies into the call's context.
 * Stateless; thread-safe.
 */
final class RoutingKeys {
  /** The metadata header a client may send the key in. */
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-mlserve-routing-key", Metadata.ASCII_STRING_MARSHALLER);
  /** The OIP request parameter a client may send the key in. */
  static final String PARAMETER = "routing_key";

  private static final Context.Key<String> FROM_HEADER = Context.key("mlserve-routing-key");

  private RoutingKeys() {}

  /** Copies the header into the call's context (only when present: no cost otherwise). */
  static ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String key = headers.get(HEADER);
        if (key == null) {
          return next.startCall(call, headers);
        }
        return Contexts.interceptCall(
            Context.current().withValue(FROM_HEADER, key), call, headers, next);
      }
    };
  }

  /**
   * The request's routing key, or null.
   *
   * @throws IllegalArgumentException when the parameter is not a string
   */
  static String of(ModelInferRequest req) {
    InferParameter p = req.getParametersMap().get(PARAMETER);
    if (p != null) {
      if (p.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.STRING_PARAM) {
        throw new IllegalArgumentException(
            "request parameter '" + PARAMETER + "' must be a string_param");
      }
      return p.getStringParam();
    }
    return FROM_HEADER.get();
  }
}
