package dev.trainerd.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server around trainerd's services: adds the standard health service (NOT_SERVING
 * while draining) and server reflection (v1 and v1alpha, so both grpcurl and older clients
 * work). It takes a {@link ServerBuilder} so tests can host everything in-process.
 */
public final class GrpcServerHost implements AutoCloseable {
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final List<String> serviceNames = new ArrayList<>();
  private Server healthServer;

  @SuppressWarnings("deprecation") // v1alpha reflection is still what many clients speak
  public GrpcServerHost(
      ServerBuilder<?> builder,
      List<BindableService> services,
      List<ServerInterceptor> interceptors,
      boolean reflection) {
    // Interceptors wrap every service, health and reflection included: the access policy itself
    // decides which methods need a token. ServerBuilder runs them in reverse order of addition,
    // so the first in the list runs first.
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      builder.intercept(interceptors.get(i));
    }
    for (BindableService service : services) {
      ServerServiceDefinition definition = service.bindService();
      serviceNames.add(definition.getServiceDescriptor().getName());
      builder.addService(definition);
    }
    builder.addService(health.getHealthService());
    if (reflection) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
      builder.addService(ProtoReflectionService.newInstance());
    }
    this.server = builder.build();
    setAll(ServingStatus.NOT_SERVING);
  }

  /** Binds and starts serving; health turns SERVING. */
  public GrpcServerHost start() throws IOException {
    server.start();
    if (healthServer != null) {
      healthServer.start();
    }
    setAll(ServingStatus.SERVING);
    return this;
  }

  /**
   * Also serves the health service alone on {@code builder} (a plaintext port): Kubernetes' native
   * gRPC probes cannot speak TLS, so with TLS on the main port they probe this one.
   */
  public GrpcServerHost withHealthOnly(ServerBuilder<?> builder) {
    healthServer = builder.addService(health.getHealthService()).build();
    return this;
  }

  /** The health-only port, or -1. */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.getPort();
  }

  /** The bound port (useful with port 0); -1 for in-process servers. */
  public int port() {
    return server.getPort();
  }

  /** Health turns NOT_SERVING so load balancers stop sending; calls in flight continue. */
  public void drain() {
    setAll(ServingStatus.NOT_SERVING);
  }

  /** Refuses new calls and waits up to {@code timeoutMillis} for calls in flight. */
  public void shutdown(long timeoutMillis) throws InterruptedException {
    drain();
    server.shutdown();
    if (healthServer != null) {
      healthServer.shutdown();
    }
    if (!server.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    health.enterTerminalState();
    if (healthServer != null) {
      healthServer.shutdownNow();
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    try {
      shutdown(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  private void setAll(ServingStatus status) {
    for (String name : serviceNames) {
      health.setStatus(name, status);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
  }
}
