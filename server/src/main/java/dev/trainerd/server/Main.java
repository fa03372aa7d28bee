package dev.trainerd.server;

import dev.trainerd.store.cluster.ObjectStoreSettings;
import dev.trainerd.store.cluster.PostgresSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts trainerd. Every flag has an environment variable of the same name in upper snake case
 * with a {@code TRAINERD_} prefix; a flag wins over its variable.
 */
@Command(
    name = "trainerd",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "gRPC model-training service for the deep-learning-basics models.")
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(names = "--host", defaultValue = "${env:TRAINERD_HOST:-0.0.0.0}",
      description = "Address to bind (env TRAINERD_HOST; default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--grpc-port", defaultValue = "${env:TRAINERD_GRPC_PORT:-50051}",
      description = "gRPC port, 0 for a free one (env TRAINERD_GRPC_PORT; default ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--metrics-port", defaultValue = "${env:TRAINERD_METRICS_PORT:-9464}",
      description = "Prometheus port, 0 for a free one, -1 to disable (env TRAINERD_METRICS_PORT;"
          + " default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-path", defaultValue = "${env:TRAINERD_METRICS_PATH:-/metrics}",
      description = "Path of the scrape endpoint (env TRAINERD_METRICS_PATH; default ${DEFAULT-VALUE}).")
  String metricsPath;

  @Option(names = "--data-dir", defaultValue = "${env:TRAINERD_DATA_DIR:-trainerd-data}",
      description = "Data directory (env TRAINERD_DATA_DIR; default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--max-concurrent-jobs", defaultValue = "${env:TRAINERD_MAX_CONCURRENT_JOBS:-0}",
      description = "Jobs training at once; 0 = one per two cores (env TRAINERD_MAX_CONCURRENT_JOBS).")
  int maxConcurrentJobs;

  @Option(names = "--max-queued-jobs", defaultValue = "${env:TRAINERD_MAX_QUEUED_JOBS:-1000}",
      description = "Queued jobs before creation is refused (env TRAINERD_MAX_QUEUED_JOBS;"
          + " default ${DEFAULT-VALUE}).")
  int maxQueuedJobs;

  @Option(names = "--max-upload-bytes", defaultValue = "${env:TRAINERD_MAX_UPLOAD_BYTES:-2147483648}",
      description = "Largest upload in bytes (env TRAINERD_MAX_UPLOAD_BYTES; default ${DEFAULT-VALUE}).")
  long maxUploadBytes;

  @Option(names = "--intra-op-threads", defaultValue = "${env:TRAINERD_INTRA_OP_THREADS:-0}",
      description = "TensorFlow threads per op, 0 = the engine's choice: the cores shared between its two"
          + " parallel product blocks, at least 1 (env TRAINERD_INTRA_OP_THREADS).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", defaultValue = "${env:TRAINERD_INTER_OP_THREADS:-0}",
      description = "TensorFlow ops in parallel, 0 = TensorFlow's choice (env TRAINERD_INTER_OP_THREADS).")
  int interOpThreads;

  @Option(names = "--shutdown-grace", defaultValue = "${env:TRAINERD_SHUTDOWN_GRACE:-PT30S}",
      converter = DurationConverter.class,
      description = "Time running jobs get on shutdown, ISO-8601 or seconds (env TRAINERD_SHUTDOWN_GRACE;"
          + " default ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Option(names = "--max-stored-bytes", defaultValue = "${env:TRAINERD_MAX_STORED_BYTES:-107374182400}",
      description = "Most bytes of data sets stored (env TRAINERD_MAX_STORED_BYTES; default ${DEFAULT-VALUE}).")
  long maxStoredBytes;

  @Option(names = "--max-job-work", defaultValue = "${env:TRAINERD_MAX_JOB_WORK:-10000000000}",
      description = "Most example visits per job, epochs x examples (env TRAINERD_MAX_JOB_WORK;"
          + " default ${DEFAULT-VALUE}).")
  long maxJobWork;

  @Option(names = "--max-job-memory", defaultValue = "${env:TRAINERD_MAX_JOB_MEMORY:-0}",
      description = "Most bytes outside the Java heap one job may need by the engine's estimate; 0 for three"
          + " quarters of the memory the heap leaves, shared by the concurrent jobs (env TRAINERD_MAX_JOB_MEMORY;"
          + " default ${DEFAULT-VALUE}).")
  long maxJobMemory;

  @Option(names = "--tls-cert-file", defaultValue = "${env:TRAINERD_TLS_CERT_FILE}",
      description = "PEM certificate chain; with --tls-key-file turns TLS on (env TRAINERD_TLS_CERT_FILE).")
  Path tlsCertFile;

  @Option(names = "--tls-key-file", defaultValue = "${env:TRAINERD_TLS_KEY_FILE}",
      description = "PEM PKCS#8 private key (env TRAINERD_TLS_KEY_FILE).")
  Path tlsKeyFile;

  @Option(names = "--tls-client-ca-file", defaultValue = "${env:TRAINERD_TLS_CLIENT_CA_FILE}",
      description = "PEM CA bundle; clients must present a certificate it signed (mutual TLS)"
          + " (env TRAINERD_TLS_CLIENT_CA_FILE).")
  Path tlsClientCaFile;

  @Option(names = "--auth-tokens-file", defaultValue = "${env:TRAINERD_AUTH_TOKENS_FILE}",
      description = "File of '<admin|reader> <token>' lines; turns bearer-token auth on"
          + " (env TRAINERD_AUTH_TOKENS_FILE).")
  Path authTokensFile;

  @Option(names = "--reflection", defaultValue = "${env:TRAINERD_REFLECTION:-true}", arity = "1",
      description = "Serve server reflection, without a token (env TRAINERD_REFLECTION; default ${DEFAULT-VALUE}).")
  boolean reflection;

  @Option(names = "--health-port", defaultValue = "${env:TRAINERD_HEALTH_PORT:--1}",
      description = "Plaintext port serving only grpc.health.v1 (for probes when the gRPC port uses TLS);"
          + " 0 for a free one, -1 for none (env TRAINERD_HEALTH_PORT; default ${DEFAULT-VALUE}).")
  int healthPort;

  /** Which storage a server uses. */
  enum StorageKind {
    embedded,
    cluster
  }

  @Option(names = "--storage", defaultValue = "${env:TRAINERD_STORAGE:-embedded}",
      description = "embedded (the data directory) or cluster (PostgreSQL + S3-compatible object store,"
          + " several replicas) (env TRAINERD_STORAGE; default ${DEFAULT-VALUE}).")
  StorageKind storage;

  @Option(names = "--postgres-url", defaultValue = "${env:TRAINERD_POSTGRES_URL}",
      description = "Cluster: JDBC URL, jdbc:postgresql://host:5432/db (env TRAINERD_POSTGRES_URL).")
  String postgresUrl;

  @Option(names = "--postgres-user", defaultValue = "${env:TRAINERD_POSTGRES_USER:-trainerd}",
      description = "Cluster: database role (env TRAINERD_POSTGRES_USER; default ${DEFAULT-VALUE}). The password"
          + " comes from env TRAINERD_POSTGRES_PASSWORD or the file --postgres-password-file names.")
  String postgresUser;

  @Option(names = "--postgres-password-file", defaultValue = "${env:TRAINERD_POSTGRES_PASSWORD_FILE}",
      description = "Cluster: file holding the database password (env TRAINERD_POSTGRES_PASSWORD_FILE).")
  Path postgresPasswordFile;

  @Option(names = "--postgres-pool-size", defaultValue = "${env:TRAINERD_POSTGRES_POOL_SIZE:-8}",
      description = "Cluster: database connections per replica (env TRAINERD_POSTGRES_POOL_SIZE; default ${DEFAULT-VALUE}).")
  int postgresPoolSize;

  @Option(names = "--s3-endpoint", defaultValue = "${env:TRAINERD_S3_ENDPOINT}",
      description = "Cluster: object store URL, e.g. http://minio:9000; unset for AWS S3 (env TRAINERD_S3_ENDPOINT).")
  String s3Endpoint;

  @Option(names = "--s3-region", defaultValue = "${env:TRAINERD_S3_REGION:-us-east-1}",
      description = "Cluster: signing region (env TRAINERD_S3_REGION; default ${DEFAULT-VALUE}).")
  String s3Region;

  @Option(names = "--s3-bucket", defaultValue = "${env:TRAINERD_S3_BUCKET:-trainerd}",
      description = "Cluster: bucket, created when missing (env TRAINERD_S3_BUCKET; default ${DEFAULT-VALUE}).")
  String s3Bucket;

  @Option(names = "--s3-prefix", defaultValue = "${env:TRAINERD_S3_PREFIX:-}",
      description = "Cluster: prefix of every object key (env TRAINERD_S3_PREFIX; default none).")
  String s3Prefix;

  @Option(names = "--s3-path-style", defaultValue = "${env:TRAINERD_S3_PATH_STYLE:-true}", arity = "1",
      description = "Cluster: path-style bucket addressing, as MinIO and s3proxy want (env TRAINERD_S3_PATH_STYLE;"
          + " default ${DEFAULT-VALUE}).")
  boolean s3PathStyle;

  @Option(names = "--s3-access-key-id-file", defaultValue = "${env:TRAINERD_S3_ACCESS_KEY_ID_FILE}",
      description = "Cluster: file holding the access key id; else env TRAINERD_S3_ACCESS_KEY_ID or AWS_ACCESS_KEY_ID.")
  Path s3AccessKeyIdFile;

  @Option(names = "--s3-secret-access-key-file", defaultValue = "${env:TRAINERD_S3_SECRET_ACCESS_KEY_FILE}",
      description = "Cluster: file holding the secret key; else env TRAINERD_S3_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY.")
  Path s3SecretAccessKeyFile;

  @Option(names = "--replica-id", defaultValue = "${env:TRAINERD_REPLICA_ID}",
      description = "Cluster: this replica's unique name (env TRAINERD_REPLICA_ID; default: host name plus a random suffix).")
  String replicaId;

  @Option(names = "--job-lease", defaultValue = "${env:TRAINERD_JOB_LEASE:-PT15S}",
      converter = DurationConverter.class,
      description = "Cluster: how long a replica's claim on a running job lasts without renewal; a lost replica's"
          + " jobs are re-queued this long after it stopped (env TRAINERD_JOB_LEASE; default ${DEFAULT-VALUE}).")
  Duration jobLease;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config =
        new ServerConfig(
            host,
            grpcPort,
            metricsPort,
            metricsPath,
            dataDir,
            maxConcurrentJobs == 0 ? ServerConfig.defaultConcurrentJobs() : maxConcurrentJobs,
            maxQueuedJobs,
            maxUploadBytes,
            intraOpThreads,
            interOpThreads,
            shutdownGrace,
            maxStoredBytes,
            maxJobWork,
            maxJobMemory,
            new ServerConfig.Security(
                Optional.ofNullable(tlsCertFile),
                Optional.ofNullable(tlsKeyFile),
                Optional.ofNullable(tlsClientCaFile),
                Optional.ofNullable(authTokensFile),
                reflection),
            healthPort,
            storage());
    TrainerdApplication app = TrainerdApplication.start(config);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(app::close, "trainerd-shutdown"));
    app.awaitTermination();
    log.info("trainerd stopped");
    return 0;
  }

  private ServerConfig.Storage storage() throws java.io.IOException {
    if (storage == StorageKind.embedded) {
      return new ServerConfig.Storage.Embedded();
    }
    if (postgresUrl == null || postgresUrl.isBlank()) {
      throw new IllegalArgumentException("--storage cluster needs --postgres-url (or TRAINERD_POSTGRES_URL)");
    }
    PostgresSettings postgres =
        new PostgresSettings(
            postgresUrl,
            postgresUser,
            secret(postgresPasswordFile, "database password", "--postgres-password-file", "TRAINERD_POSTGRES_PASSWORD"),
            postgresPoolSize);
    ObjectStoreSettings objects =
        new ObjectStoreSettings(
            s3Endpoint == null || s3Endpoint.isBlank() ? Optional.empty() : Optional.of(URI.create(s3Endpoint)),
            s3Region,
            s3Bucket,
            s3Prefix,
            secret(s3AccessKeyIdFile, "object store access key id", "--s3-access-key-id-file",
                "TRAINERD_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
            secret(s3SecretAccessKeyFile, "object store secret key", "--s3-secret-access-key-file",
                "TRAINERD_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
            s3PathStyle);
    String id = replicaId == null || replicaId.isBlank() ? defaultReplicaId() : replicaId;
    return new ServerConfig.Storage.Cluster(postgres, objects, id, jobLease);
  }

  /** A secret from its file, else from the first environment variable set. */
  private static String secret(Path file, String what, String flag, String... variables) throws java.io.IOException {
    if (file != null) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    for (String variable : variables) {
      String value = System.getenv(variable);
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    throw new IllegalArgumentException(
        "--storage cluster needs the " + what + ": set " + String.join(" or ", variables) + ", or " + flag);
  }

  private static String defaultReplicaId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "replica";
      }
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Accepts ISO-8601 durations ({@code PT30S}) or plain seconds ({@code 30}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return value.chars().allMatch(Character::isDigit)
          ? Duration.ofSeconds(Long.parseLong(value))
          : Duration.parse(value);
    }
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"trainerd " + BuildInfo.trainerdVersion()};
    }
  }
}
