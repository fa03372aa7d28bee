package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.cli.Trainerctl;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.SyntheticSpec;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's and trainerctl's TLS and token options against a server that requires both. */
class TrainerClientSecurityIT {
  private static final String ADMIN = "admin-token-for-the-sdk-test-0001";
  private static final String READER = "reader-token-for-the-sdk-test-0001";
  @TempDir static Path dir;
  private static TrainerdServer server;

  @BeforeAll
  static void start() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sdk test CA", "-keyout", "ca.key", "-out", "ca.pem");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.rsa.key", "-out", "server.csr");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.pem");
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", "server.rsa.key", "-out", "server.key");
    Files.writeString(dir.resolve("tokens"), "admin " + ADMIN + "\nreader " + READER + "\n");
    server =
        new TrainerdServer(
            dir.resolve("data"),
            "--tls-cert-file", dir.resolve("server.pem").toString(),
            "--tls-key-file", dir.resolve("server.key").toString(),
            "--auth-tokens-file", dir.resolve("tokens").toString());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static TrainerClient client(String token) {
    TrainerClient.Builder b = TrainerClient.newBuilder(server.target()).tlsCaFile(dir.resolve("ca.pem")).retries(false);
    if (token != null) {
      b.bearerToken(token);
    }
    return b.build();
  }

  @Test
  void adminCreatesReaderReadsAnonymousIsRefused() {
    SyntheticSpec spec = SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()).build();
    try (TrainerClient admin = client(ADMIN); TrainerClient reader = client(READER); TrainerClient anonymous = client(null)) {
      assertThat(admin.isServing()).isTrue();
      String name = admin.datasets().createSynthetic("secure", spec, 1).getTrainDataset().getName();
      assertThat(reader.datasets().get(name).getExampleCount()).isEqualTo(1000);
      assertThatThrownBy(() -> reader.datasets().createSynthetic("no", spec, 2))
          .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThatThrownBy(() -> anonymous.datasets().get(name))
          .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
  }

  @Test
  void trainerctlSpeaksTlsWithAToken() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Trainerctl.run(
            new String[] {"--target", server.target(), "--tls-ca", dir.resolve("ca.pem").toString(), "--token", READER,
                "--output", "json", "datasets", "list"},
            new PrintWriter(out), new PrintWriter(err), false);
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("{");
  }

  private static void openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
  }
}
