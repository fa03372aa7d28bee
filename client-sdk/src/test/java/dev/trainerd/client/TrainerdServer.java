package dev.trainerd.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged trainerd server (system property {@code trainerd.server.jar}) started as a
 * process on a free port, for end-to-end tests of the SDK and the CLI.
 */
public final class TrainerdServer implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("serving gRPC(?: \\([^)]*\\))? on ([^:\\s]+):(\\d+)");

  private final Process process;
  private final List<String> log = new ArrayList<>();
  private final String target;

  /** Starts the server on {@code dataDir} and waits until it serves. */
  public TrainerdServer(Path dataDir, String... extraArgs) throws IOException {
    String jar = System.getProperty("trainerd.server.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("trainerd.server.jar is not set or missing (" + jar + "); run through 'mvn verify'");
    }
    List<String> command = new ArrayList<>(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx2g",
            // As the README runs it.
            "-XX:TieredStopAtLevel=1",
            "-jar",
            jar,
            "--host", "127.0.0.1",
            "--grpc-port", "0",
            "--metrics-port", "0",
            "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    process = builder.start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (log) {
                    log.add(line);
                  }
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ready.complete(m.group(1) + ":" + m.group(2));
                  }
                }
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
              ready.completeExceptionally(new IllegalStateException("server exited before serving:\n" + log()));
            },
            "trainerd-server-log");
    reader.setDaemon(true);
    reader.start();
    try {
      target = ready.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not start:\n" + log(), e);
    }
  }

  /** Keeps the server's log as {@code target/trainerd-server-<pid>.log} for failure reports. */
  private void saveLog() {
    try {
      Path dir = Path.of("target");
      if (Files.isDirectory(dir)) {
        Files.writeString(dir.resolve("trainerd-server-" + process.pid() + ".log"), log() + "\n");
      }
    } catch (IOException e) {
      // The log is a diagnostic aid only.
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String target() {
    return target;
  }

  /** Everything the server printed so far. */
  public String log() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped within a minute. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    saveLog();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
