package dev.trainerd.server;

import dev.trainerd.ml.Threads;
import dev.trainerd.store.cluster.ObjectStoreSettings;
import dev.trainerd.store.cluster.PostgresSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param maxStoredBytes most bytes the data-set store may hold; uploads beyond are refused
 * @param maxJobWork most example visits one job may ask for (epochs x examples, x (folds + 1) for
 *     K-fold jobs); larger jobs are refused
 * @param maxJobMemory most bytes outside the Java heap one job may need by the engine's estimate;
 *     larger jobs are refused; 0 for the machine's share ({@link #jobMemoryLimit()})
 * @param security TLS, client certificates, bearer tokens and reflection
 * @param healthPort a plaintext port serving only the health service (for probes that cannot
 *     speak TLS); 0 picks a free one, -1 (the default) serves none
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
    Duration shutdownGrace,
    long maxStoredBytes,
    long maxJobWork,
    long maxJobMemory,
    Security security,
    int healthPort,
    Storage storage) {

  public static final int DEFAULT_GRPC_PORT = 50051;

  /**
   * Who may connect and call what.
   *
   * @param certFile PEM certificate chain of the server; with {@code keyFile} turns TLS on
   * @param keyFile PEM private key (PKCS#8) of the server
   * @param clientCaFile PEM CA bundle; when set, clients must present a certificate it signed
   *     (mutual TLS)
   * @param tokensFile bearer tokens and their roles; when set, every call but health checks (and
   *     reflection, if open) needs a token
   * @param reflection serve server reflection
   */
  public record Security(
      Optional<Path> certFile,
      Optional<Path> keyFile,
      Optional<Path> clientCaFile,
      Optional<Path> tokensFile,
      boolean reflection) {
    public Security {
      Objects.requireNonNull(certFile, "certFile");
      Objects.requireNonNull(keyFile, "keyFile");
      Objects.requireNonNull(clientCaFile, "clientCaFile");
      Objects.requireNonNull(tokensFile, "tokensFile");
      if (certFile.isPresent() != keyFile.isPresent()) {
        throw new IllegalArgumentException("TLS needs both a certificate file and a key file");
      }
      if (clientCaFile.isPresent() && certFile.isEmpty()) {
        throw new IllegalArgumentException("client certificates (mutual TLS) need server TLS too");
      }
    }

    /** Plaintext, no tokens, reflection on: the development default. */
    public static Security open() {
      return new Security(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true);
    }

    /** Whether the gRPC port speaks TLS. */
    public boolean tls() {
      return certFile.isPresent();
    }
  }
  public static final int DEFAULT_METRICS_PORT = 9464;

  /** Where data sets, models and jobs are kept. */
  public sealed interface Storage {
    /** Everything in the data directory of this one server: nothing else to install. */
    record Embedded() implements Storage {}

    /**
     * One replica of a cluster: metadata in PostgreSQL, blobs in an S3-compatible object store,
     * jobs claimed from a shared queue. The data directory only holds uploads in progress and
     * temporary copies.
     *
     * @param postgres the database
     * @param objects the object store
     * @param replicaId this replica's name, unique in the cluster
     * @param jobLease how long a replica's claim on a job lasts without renewal
     */
    record Cluster(PostgresSettings postgres, ObjectStoreSettings objects, String replicaId, Duration jobLease)
        implements Storage {
      public Cluster {
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(jobLease, "jobLease");
      }
    }
  }

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(metricsPath, "metricsPath");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    requireRange("grpc port", grpcPort, 0, 65535);
    requireRange("metrics port", metricsPort, -1, 65535);
    requireRange("health port", healthPort, -1, 65535);
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
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(storage, "storage");
    if (maxStoredBytes < 1 || maxJobWork < 1) {
      throw new IllegalArgumentException("max stored bytes and max job work must be positive");
    }
    if (maxJobMemory < 0) {
      throw new IllegalArgumentException("max job memory must be positive, or 0 for the machine's share");
    }
  }

  /**
   * The most bytes outside the Java heap one job may need: {@link #maxJobMemory} when set, else
   * three quarters of the memory the heap leaves (the machine's or the container's), shared by the
   * concurrent jobs, at least 256 MiB.
   */
  public long jobMemoryLimit() {
    if (maxJobMemory > 0) {
      return maxJobMemory;
    }
    long total =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    long outsideHeap = Math.max(0, total - Runtime.getRuntime().maxMemory());
    return Math.max(256L << 20, outsideHeap / 4 * 3 / maxConcurrentJobs);
  }

  /** The TensorFlow thread settings jobs get when they ask for 0 (the server's default). */
  public Threads threads() {
    return new Threads(intraOpThreads, interOpThreads);
  }

  /** A server with the embedded storage (the data directory). */
  public ServerConfig(
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
      Duration shutdownGrace,
      long maxStoredBytes,
      long maxJobWork,
      long maxJobMemory,
      Security security,
      int healthPort) {
    this(host, grpcPort, metricsPort, metricsPath, dataDir, maxConcurrentJobs, maxQueuedJobs, maxUploadBytes,
        intraOpThreads, interOpThreads, shutdownGrace, maxStoredBytes, maxJobWork, maxJobMemory, security, healthPort,
        new Storage.Embedded());
  }

  /** The same configuration with other storage. */
  public ServerConfig withStorage(Storage other) {
    return new ServerConfig(host, grpcPort, metricsPort, metricsPath, dataDir, maxConcurrentJobs, maxQueuedJobs,
        maxUploadBytes, intraOpThreads, interOpThreads, shutdownGrace, maxStoredBytes, maxJobWork, maxJobMemory,
        security, healthPort, other);
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
        Duration.ofSeconds(30),
        DEFAULT_MAX_STORED_BYTES,
        DEFAULT_MAX_JOB_WORK,
        0,
        Security.open(),
        -1,
        new Storage.Embedded());
  }

  /** 100 GiB of data sets. */
  public static final long DEFAULT_MAX_STORED_BYTES = 100L << 30;

  /**
   * Ten billion example visits: 100 epochs over 100 million examples, far beyond the chapter's
   * largest job (Fashion-MNIST, 10 epochs: 600 thousand) yet a bound on a mistyped request.
   */
  public static final long DEFAULT_MAX_JOB_WORK = 10_000_000_000L;

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
