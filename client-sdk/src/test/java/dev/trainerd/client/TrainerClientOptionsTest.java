package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client options seen from a stand-in health server: token, deadline, retries. */
class TrainerClientOptionsTest {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<Long> deadlinesMillis = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private Server server;

  /** Answers UNAVAILABLE for the first {@code failures} calls, then SERVING. */
  private String start(int failures) throws Exception {
    HealthGrpc.HealthImplBase health =
        new HealthGrpc.HealthImplBase() {
          @Override
          public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
            Deadline deadline = Context.current().getDeadline();
            deadlinesMillis.add(deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS));
            if (calls.incrementAndGet() <= failures) {
              response.onError(Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
              return;
            }
            response.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
            response.onCompleted();
          }
        };
    ServerInterceptor headers =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
            String value = metadata.get(AUTHORIZATION);
            authorizations.add(value == null ? "" : value);
            return next.startCall(call, metadata);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(health, headers))
            .build()
            .start();
    return "127.0.0.1:" + server.getPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void sendsTheBearerTokenAndTheDefaultDeadline() throws Exception {
    String target = start(0);
    try (TrainerClient client = TrainerClient.newBuilder(target).bearerToken("s3cret").defaultDeadline(Duration.ofSeconds(7)).build()) {
      assertThat(client.isServing()).isTrue();
    }
    assertThat(authorizations).containsExactly("Bearer s3cret");
    assertThat(deadlinesMillis.get(0)).isBetween(1L, 7_000L);
  }

  @Test
  void retriesUnavailableWithTheShippedServiceConfig() throws Exception {
    String target = start(2);
    try (TrainerClient client = TrainerClient.newBuilder(target).build()) {
      assertThat(client.isServing()).isTrue();
    }
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void withoutRetriesUnavailableSurfacesAsATrainerException() throws Exception {
    String target = start(1);
    try (TrainerClient client = TrainerClient.newBuilder(target).retries(false).build()) {
      assertThatThrownBy(client::isServing)
          .isInstanceOfSatisfying(
              TrainerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getMessage()).isEqualTo("warming up");
              });
    }
    assertThat(calls.get()).isEqualTo(1);
  }
}
