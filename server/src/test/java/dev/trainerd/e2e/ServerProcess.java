package dev.trainerd.e2e;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server started as a real process on free ports, as a user would run it. Its log
 * is kept for assertions and failure reports.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("serving gRPC(?: \\([^)]*\\))? on [^:]+:(\\d+), metrics on [^:]+:(-?\\d+)");

  private final Process process;
  private final List<String> log = new ArrayList<>();
  private final int grpcPort;
  private final int metricsPort;
  private final ManagedChannel channel;

  /** Starts the jar on {@code dataDir} with extra flags and waits until it serves. */
  public ServerProcess(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
    this(dataDir, Map.of(), extraArgs);
  }

  /**
   * Starts the jar on {@code dataDir} with extra environment variables (secrets go there, never
   * on the command line) and flags, and waits until it serves.
   */
  public ServerProcess(Path dataDir, Map<String, String> environment, String... extraArgs)
      throws IOException, InterruptedException {
    String jar = System.getProperty("trainerd.server.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("trainerd.server.jar is not set or missing; run through 'mvn verify'");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    // As the README runs it.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(jar);
    command.addAll(List.of("--host", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "0", "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    builder.environment().putAll(environment);
    process = builder.start();
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (log) {
                    log.add(line);
                  }
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                  }
                }
              } catch (IOException e) {
                ports.completeExceptionally(e);
              }
              ports.completeExceptionally(new IllegalStateException("server exited before serving:\n" + log()));
            },
            "server-log");
    reader.setDaemon(true);
    reader.start();
    int[] bound;
    try {
      bound = ports.get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not start:\n" + log(), e);
    }
    grpcPort = bound[0];
    metricsPort = bound[1];
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
  }

  /** A channel with other credentials (TLS, client certificates) to this server. */
  public ManagedChannel channel(io.grpc.ChannelCredentials credentials) {
    return io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, credentials)
        .overrideAuthority("localhost")
        .build();
  }

  public ManagedChannel channel() {
    return channel;
  }

  public int grpcPort() {
    return grpcPort;
  }

  public int metricsPort() {
    return metricsPort;
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the server printed so far. */
  public String log() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  /** Sends SIGKILL and waits: a crash, nothing flushed. */
  public void kill() throws InterruptedException {
    channel.shutdownNow();
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait for the graceful shutdown. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
