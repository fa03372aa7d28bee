package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal user's view: {@code buf curl} (a reflection-based client like grpcurl) discovers every
 * service and calls one, knowing nothing but the address. CI installs buf (.ci/run); elsewhere the
 * test is skipped when buf is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReflectionIT {
  private ServerProcess server;
  private Path buf;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    String configured = System.getProperty("trainerd.buf", "");
    buf = configured.isEmpty() ? null : Path.of(configured);
    boolean present = buf != null && Files.isExecutable(buf);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("buf is not installed at " + buf + "; .ci/run installs it");
    }
    assumeTrue(present, "buf is not installed; run 'npm ci --prefix .ci/tools'");
    server = new ServerProcess(dataDir);
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void listsEveryServiceThroughReflection() throws Exception {
    String out = buf("--list-services", url(""));
    assertThat(out.lines().toList())
        .contains(
            "trainerd.v1.DatasetService",
            "trainerd.v1.TrainingService",
            "trainerd.v1.ModelService",
            "trainerd.v1.SweepService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");
  }

  @Test
  void callsListTrainingJobsAndHealthWithJson() throws Exception {
    assertThat(buf("-d", "{}", url("trainerd.v1.TrainingService/ListTrainingJobs")).strip()).isEqualTo("{}");
    assertThat(buf("-d", "{}", url("grpc.health.v1.Health/Check"))).contains("\"status\": \"SERVING\"");
  }

  @Test
  void reportsFieldViolationsOfABadRequest() throws Exception {
    String out =
        bufExpectingFailure(
            "-d", "{\"spec\":{\"dataset\":\"nope\",\"model\":{\"linear\":{}},\"learningRate\":-1}}",
            url("trainerd.v1.TrainingService/CreateTrainingJob"));
    assertThat(out)
        .contains("invalid_argument")
        .contains("spec.dataset: must look like datasets/{id}")
        .contains("(and 1 more)")
        .contains("google.rpc.BadRequest");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.grpcPort() + "/" + path;
  }

  private String buf(String... args) throws IOException, InterruptedException {
    Result r = run(args);
    assertThat(r.exit).as("buf curl failed:\n%s", r.output).isZero();
    return r.output;
  }

  private String bufExpectingFailure(String... args) throws IOException, InterruptedException {
    Result r = run(args);
    assertThat(r.exit).as("buf curl should fail:\n%s", r.output).isNotZero();
    return r.output;
  }

  private record Result(int exit, String output) {}

  private Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(buf.toString(), "curl", "--protocol", "grpc", "--http2-prior-knowledge"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("buf curl hung");
    }
    return new Result(p.exitValue(), output);
  }
}
