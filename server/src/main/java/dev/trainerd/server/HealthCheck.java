package dev.trainerd.server;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A container health check: asks the local server's {@code grpc.health.v1.Health/Check} and exits
 * 0 only when it answers SERVING, 1 otherwise (NOT_SERVING while draining, no answer within the
 * deadline, connection refused), 2 on a bad port setting. Docker's HEALTHCHECK runs it as
 * {@code java -cp /app/trainerd-server.jar dev.trainerd.server.HealthCheck}.
 *
 * <p>It reads the port from {@code TRAINERD_GRPC_PORT} (default 50051), the same variable the
 * server binds to, so one setting moves both. An optional first argument names the service to
 * check; without it the whole server's status is asked for.
 */
public final class HealthCheck {
  /** Exit status when the server answered SERVING. */
  public static final int HEALTHY = 0;
  /** Exit status when it answered anything else or did not answer. */
  public static final int UNHEALTHY = 1;
  /** Exit status when the port setting is unusable. */
  public static final int MISCONFIGURED = 2;

  static final int DEFAULT_PORT = 50051;
  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(3);

  private HealthCheck() {}

  public static void main(String[] args) {
    String service = args.length > 0 ? args[0] : "";
    System.exit(run(System.getenv(), service, System.out, System.err));
  }

  /**
   * Runs the check with settings from {@code env} and returns the exit status; the outcome is
   * printed as one line.
   */
  static int run(Map<String, String> env, String service, PrintStream out, PrintStream err) {
    String portSetting = env.getOrDefault("TRAINERD_GRPC_PORT", String.valueOf(DEFAULT_PORT)).strip();
    int port;
    try {
      port = Integer.parseInt(portSetting);
    } catch (NumberFormatException e) {
      err.println("health check: TRAINERD_GRPC_PORT=" + portSetting + " is not a port number");
      return MISCONFIGURED;
    }
    if (port < 1 || port > 65535) {
      err.println("health check: TRAINERD_GRPC_PORT=" + port
          + " cannot be checked; it must be a fixed port between 1 and 65535");
      return MISCONFIGURED;
    }
    return check("127.0.0.1", port, service, DEFAULT_DEADLINE, out, err);
  }

  /** Asks {@code host:port} for the status of {@code service} ("" for the whole server). */
  static int check(
      String host, int port, String service, Duration deadline, PrintStream out, PrintStream err) {
    ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build());
      ServingStatus status = response.getStatus();
      if (status == ServingStatus.SERVING) {
        out.println("health check: " + host + ":" + port + " SERVING");
        return HEALTHY;
      }
      err.println("health check: " + host + ":" + port + " answered " + status);
      return UNHEALTHY;
    } catch (StatusRuntimeException e) {
      err.println("health check: " + host + ":" + port + " failed: " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
      return UNHEALTHY;
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
