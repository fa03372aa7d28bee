package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mutual TLS and bearer-token roles on the packaged server, with certificates from openssl. */
class SecurityIT {
  private static final String ADMIN = "admin-token-0123456789abcdef";
  private static final String READER = "reader-token-0123456789abcdef";
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=trainerd test CA",
        "-keyout", "ca.key", "-out", "ca.pem");
    for (String who : List.of("server", "client")) {
      run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + (who.equals("server") ? "localhost" : "trainerd client"),
          "-keyout", who + ".rsa.key", "-out", who + ".csr");
      Files.writeString(dir.resolve(who + ".ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
      run("openssl", "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
          "-days", "2", "-extfile", who + ".ext", "-out", who + ".pem");
      run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", who + ".rsa.key", "-out", who + ".key");
    }
    Files.writeString(dir.resolve("tokens"), "# role token\nadmin " + ADMIN + "\nreader " + READER + "\n");
  }

  @Test
  void tlsServesTrustingClientsAndRefusesPlaintext() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            dir.resolve("tls-data"), "--tls-cert-file", p("server.pem"), "--tls-key-file", p("server.key"),
            "--health-port", "0")) {
      ManagedChannel tls = server.channel(TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile()).build());
      try {
        assertThat(health(tls)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        TrainingServiceGrpc.newBlockingStub(tls).listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance());
      } finally {
        tls.shutdownNow();
      }
      ManagedChannel plain = server.channel(InsecureChannelCredentials.create());
      try {
        assertThatThrownBy(() -> health(plain))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      } finally {
        plain.shutdownNow();
      }
      // Kubernetes' gRPC probes speak plaintext: they use the health-only port.
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("health checks \\(plaintext\\) on [^:]+:(\\d+)").matcher(server.log());
      assertThat(m.find()).as(server.log()).isTrue();
      ManagedChannel probe =
          io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", Integer.parseInt(m.group(1)), InsecureChannelCredentials.create()).build();
      try {
        assertThat(health(probe)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThatThrownBy(() -> TrainingServiceGrpc.newBlockingStub(probe).listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
      } finally {
        probe.shutdownNow();
      }
    }
  }

  @Test
  void mutualTlsNeedsAClientCertificateSignedByTheCa() throws Exception {
    try (ServerProcess server =
        new ServerProcess(
            dir.resolve("mtls-data"), "--tls-cert-file", p("server.pem"), "--tls-key-file", p("server.key"),
            "--tls-client-ca-file", p("ca.pem"))) {
      assertThat(server.log()).contains("(mutual TLS)");
      ChannelCredentials withCert =
          TlsChannelCredentials.newBuilder()
              .trustManager(dir.resolve("ca.pem").toFile())
              .keyManager(dir.resolve("client.pem").toFile(), dir.resolve("client.key").toFile())
              .build();
      ManagedChannel ok = server.channel(withCert);
      ManagedChannel anonymous = server.channel(TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile()).build());
      try {
        assertThat(health(ok)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThatThrownBy(() -> health(anonymous)).isInstanceOf(StatusRuntimeException.class);
      } finally {
        ok.shutdownNow();
        anonymous.shutdownNow();
      }
    }
  }

  @Test
  void tokensDecideWhoMayReadAndWhoMayChangeThings() throws Exception {
    try (ServerProcess server = new ServerProcess(dir.resolve("auth-data"), "--auth-tokens-file", p("tokens"))) {
      ManagedChannel channel = server.channel();
      assertThat(health(channel)).as("health needs no token").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

      TrainingServiceGrpc.TrainingServiceBlockingStub anonymous = TrainingServiceGrpc.newBlockingStub(channel);
      assertCode(() -> anonymous.listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
      assertCode(
          () -> anonymous.withCallCredentials(bearer("not-a-token-at-all-12345")).listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()),
          Status.Code.UNAUTHENTICATED);

      anonymous.withCallCredentials(bearer(READER)).listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance());
      CreateSyntheticDatasetRequest create =
          CreateSyntheticDatasetRequest.newBuilder()
              .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()))
              .build();
      assertCode(
          () -> DatasetServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(READER)).createSyntheticDataset(create),
          Status.Code.PERMISSION_DENIED);
      assertThat(
              DatasetServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(ADMIN)).createSyntheticDataset(create)
                  .getTrainDataset().getExampleCount())
          .isEqualTo(1000);
    }
  }

  private static HealthCheckResponse.ServingStatus health(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        applier.apply(headers);
      }
    };
  }

  private static void assertCode(Runnable call, Status.Code code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }

  private static String p(String file) {
    return dir.resolve(file).toString();
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
  }
}
