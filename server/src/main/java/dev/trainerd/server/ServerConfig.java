package dev.trainerd.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the server can be told at start-up. Every value has a default that works on a
 * developer machine with no other service; {@link Main} fills it from flags and environment.
 *
 * @param host address the gRPC and metrics ports bind to
 * @param grpcPort gRPC port; 0 picks a free one (the bound port is logged)
 * @param metricsPort Prometheus scrape port; 0 picks a free one, -1 disables it
 * @param metricsPath path of the scrape endpoint
 * @param dataDir where datasets, models and job records live
 * @param maxConcurrentJobs jobs training at once
 * @param maxQueuedJobs jobs waiting for a slot before creation is refused
 * @param maxUploadBytes largest accepted upload, all files together
 * @param intraOpThreads TensorFlow threads per op; 0 lets TensorFlow decide
 * @param interOpThreads TensorFlow ops run in parallel; 0 lets TensorFlow decide
 * @param shutdownGrace how long running jobs may finish on shutdown before they are cancelled
 */
public record ServerConfig(
    String host,
    int grpcPort,
    int metricsPort,
    String metricsPath,
    Path dataDir,
    int maxConcurrentJobs,
    int maxQueuedJobs,
    long maxUploadBytes,
    int intraOpThreads,
    int interOpThreads,
    Duration shutdownGrace) {

  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_METRICS_PORT = 9464;

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(metricsPath, "metricsPath");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    requireRange("grpc port", grpcPort, 0, 65535);
    requireRange("metrics port", metricsPort, -1, 65535);
    requireRange("max concurrent jobs", maxConcurrentJobs, 1, 1024);
    requireRange("max queued jobs", maxQueuedJobs, 0, 1_000_000);
    requireRange("intra-op threads", intraOpThreads, 0, 1024);
    requireRange("inter-op threads", interOpThreads, 0, 1024);
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("max upload bytes must be positive, was " + maxUploadBytes);
    }
    if (!metricsPath.startsWith("/")) {
      throw new IllegalArgumentException("metrics path must start with '/', was " + metricsPath);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdown grace must not be negative");
    }
  }

  /** The defaults: ports 50051/9464, `./trainerd-data`, one job per two cores. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        "0.0.0.0",
        DEFAULT_GRPC_PORT,
        DEFAULT_METRICS_PORT,
        "/metrics",
        Path.of("trainerd-data"),
        defaultConcurrentJobs(),
        1000,
        2L << 30,
        0,
        0,
        Duration.ofSeconds(30));
  }

  /**
   * The chapter's models run small ops for which a second thread per job barely helps, so one job
   * per two cores keeps each job fast while using the machine.
   */
  static int defaultConcurrentJobs() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  private static void requireRange(String what, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          what + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
