package dev.trainerd.api;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Checks the {@code authorization: Bearer <token>} header against the configured tokens and the
 * method's required role: no or an unknown token is UNAUTHENTICATED, a reader calling a method
 * that changes state is PERMISSION_DENIED.
 */
public final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final BearerTokens tokens;
  private final AccessPolicy policy;

  public AuthInterceptor(BearerTokens tokens, AccessPolicy policy) {
    this.tokens = tokens;
    this.policy = policy;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    String method = call.getMethodDescriptor().getBareMethodName();
    AccessPolicy.Role needed = policy.required(service, method == null ? "" : method);
    if (needed == null) {
      return next.startCall(call, headers);
    }
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("send 'authorization: Bearer <token>'"));
    }
    Optional<AccessPolicy.Role> role = tokens.roleOf(header.substring(BEARER.length()).strip());
    if (role.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("the bearer token is not valid"));
    }
    if (role.get().compareTo(needed) < 0) {
      return refuse(
          call,
          Status.PERMISSION_DENIED.withDescription(
              method + " needs the " + needed.name().toLowerCase(java.util.Locale.ROOT) + " role"));
    }
    return next.startCall(call, headers);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
