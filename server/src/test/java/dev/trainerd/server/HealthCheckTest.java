package dev.trainerd.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void healthyOnlyWhileTheServerIsServing() throws Exception {
    try (GrpcServerHost host =
        new GrpcServerHost(ServerBuilder.forPort(0), List.of(), List.of(), false).start()) {
      assertThat(check(host.port())).isEqualTo(HealthCheck.HEALTHY);
      assertThat(text(out)).contains("SERVING");

      host.drain();
      assertThat(check(host.port())).isEqualTo(HealthCheck.UNHEALTHY);
      assertThat(text(err)).contains("NOT_SERVING");
    }
  }

  @Test
  void readsThePortFromTheServersVariable() throws Exception {
    try (GrpcServerHost host =
        new GrpcServerHost(ServerBuilder.forPort(0), List.of(), List.of(), false).start()) {
      int status = HealthCheck.run(
          Map.of("TRAINERD_GRPC_PORT", String.valueOf(host.port())), "", print(out), print(err));
      assertThat(status).isEqualTo(HealthCheck.HEALTHY);
    }
  }

  @Test
  void unhealthyWhenNothingListens() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    assertThat(check(freePort)).isEqualTo(HealthCheck.UNHEALTHY);
    assertThat(text(err)).contains("UNAVAILABLE");
  }

  @Test
  void misconfiguredPortsAreReportedApart() {
    assertThat(HealthCheck.run(Map.of("TRAINERD_GRPC_PORT", "grpc"), "", print(out), print(err)))
        .isEqualTo(HealthCheck.MISCONFIGURED);
    assertThat(HealthCheck.run(Map.of("TRAINERD_GRPC_PORT", "0"), "", print(out), print(err)))
        .isEqualTo(HealthCheck.MISCONFIGURED);
    assertThat(text(err)).contains("not a port number").contains("fixed port");
  }

  private int check(int port) {
    return HealthCheck.check("127.0.0.1", port, "", Duration.ofSeconds(2), print(out), print(err));
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
