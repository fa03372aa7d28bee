package dev.trainerd.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.trainerd.api.DatasetGrpcService;
import dev.trainerd.api.ModelGrpcService;
import dev.trainerd.api.ProtoCodecs;
import dev.trainerd.api.ResourceMapper;
import dev.trainerd.api.SpecMapper;
import dev.trainerd.api.SweepGrpcService;
import dev.trainerd.api.SweepMapper;
import dev.trainerd.api.TrainingGrpcService;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.ExamplesFile;
import dev.trainerd.data.IdxDatasetParser;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.image.ArchiveLimits;
import dev.trainerd.data.image.CifarParser;
import dev.trainerd.data.image.ImageFolderParser;
import dev.trainerd.data.image.ImageListParser;
import dev.trainerd.jobs.JobManager;
import dev.trainerd.metrics.BackendMetrics;
import dev.trainerd.metrics.DatasetMetrics;
import dev.trainerd.metrics.Meters;
import dev.trainerd.metrics.StoreMetrics;
import dev.trainerd.metrics.SweepMetrics;
import dev.trainerd.metrics.MetricsEndpoint;
import dev.trainerd.metrics.TrainingMetrics;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.tf.TfTrainer;
import dev.trainerd.models.ModelService;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.ClusterSettings;
import dev.trainerd.ml.Device;
import dev.trainerd.store.DatasetStore;
import dev.trainerd.store.DatasetUsage;
import dev.trainerd.store.cluster.ClusterDatasetRepository;
import dev.trainerd.store.cluster.ClusterModelRepository;
import dev.trainerd.store.cluster.Database;
import dev.trainerd.store.cluster.ObjectStore;
import dev.trainerd.store.cluster.PostgresJobStore;
import dev.trainerd.store.FileJobRepository;
import dev.trainerd.store.FileModelRepository;
import dev.trainerd.store.FileSweepRepository;
import dev.trainerd.sweeps.SweepManager;
import dev.trainerd.store.Ids;
import dev.trainerd.training.JobAdmission;
import dev.trainerd.training.JobData;
import dev.trainerd.training.TrainingJobRunner;
import dev.trainerd.api.AccessPolicy;
import dev.trainerd.api.AuthInterceptor;
import dev.trainerd.api.BearerTokens;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires trainerd together: stores on the data directory, the engine, the job manager and the gRPC
 * services. Tests build it on an in-process {@link ServerBuilder}; {@link #start} binds a socket.
 */
public final class TrainerdApplication implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerdApplication.class);

  private final ServerConfig config;
  private final DatasetStore datasets;
  private final JobManager jobs;
  private final ModelService models;
  private final SweepManager sweeps;
  private final GrpcServerHost grpc;
  private final PrometheusMeterRegistry registry;
  /** The backend's devices, set once the warm-up has probed them. */
  private final BackendMetrics backendMetrics;
  /** Sends watch events, so the threads that publish them (training ones) never do. */
  private final ScheduledExecutorService watchSender =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread t = new Thread(task, "trainerd-watch-sender");
            t.setDaemon(true);
            return t;
          });
  /** The cluster's database and object store; empty in embedded mode. */
  private final List<AutoCloseable> clusterResources = new ArrayList<>();
  private MetricsEndpoint metricsEndpoint;
  private boolean closed;

  /** Builds every part on {@code serverBuilder}; nothing serves until {@link #startServing}. */
  public TrainerdApplication(ServerConfig config, ServerBuilder<?> serverBuilder, Trainer trainer, Clock clock) {
    this.config = config;
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
    }
    Ids ids = new Ids();
    SpecMapper specs = new SpecMapper();
    ResourceMapper mapper = new ResourceMapper(specs);
    AtomicReference<JobManager> jobsRef = new AtomicReference<>();
    this.registry = Meters.prometheus(instanceName());
    TrainingMetrics trainingMetrics =
        new TrainingMetrics(() -> {
          JobManager manager = jobsRef.get();
          return manager == null ? 0 : manager.queuedCount();
        });
    trainingMetrics.bindTo(registry);
    new StoreMetrics(config.dataDir(), clock).bindTo(registry);
    backendMetrics = new BackendMetrics(trainer.gpuBuild());
    backendMetrics.bindTo(registry);
    Cluster cluster = config.storage() instanceof ServerConfig.Storage.Cluster c ? openCluster(c) : null;
    DatasetParsers parsers =
        new DatasetParsers(List.of(new CsvParser(), new IdxDatasetParser(IdxReader::read), new ExamplesFile(),
            new ImageFolderParser(ArchiveLimits.DEFAULTS), new ImageListParser(ArchiveLimits.DEFAULTS), new CifarParser(ArchiveLimits.DEFAULTS)));
    DatasetUsage usage =
        id -> {
          JobManager manager = jobsRef.get();
          return manager != null && manager.isDatasetInUse(id)
              ? Optional.of("a queued or running training job")
              : Optional.empty();
        };
    // A quarter of the heap for decoded data sets reused between jobs.
    long decodedCache = Runtime.getRuntime().maxMemory() / 4;
    try {
      this.datasets =
          cluster == null
              ? DatasetStore.open(
                  config.dataDir().resolve("datasets"), config.maxUploadBytes(), parsers, usage, clock, decodedCache)
              : DatasetStore.open(
                  new ClusterDatasetRepository(cluster.db(), cluster.objects(), config.dataDir().resolve("blob-reads")),
                  config.dataDir().resolve("staging"), config.maxUploadBytes(), parsers, usage, clock, decodedCache);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the data set store in " + config.dataDir(), e);
    }
    this.models =
        new ModelService(
            cluster == null
                ? new FileModelRepository(config.dataDir(), ProtoCodecs.models(mapper))
                : new ClusterModelRepository(cluster.db(), cluster.objects(), ProtoCodecs.models(mapper)),
            datasets, trainer, 16);
    TrainingJobRunner runner =
        new TrainingJobRunner(
            new JobData(datasets),
            models,
            trainer,
            ids::next,
            clock,
            config.threads(),
            BuildInfo.trainerdVersion());
    JobAdmission admission;
    if (cluster == null) {
      this.jobs =
          new JobManager(
              new FileJobRepository(config.dataDir(), ProtoCodecs.jobs(mapper)),
              runner,
              clock,
              ids::next,
              config.maxConcurrentJobs(),
              config.maxQueuedJobs(),
              trainingMetrics);
      admission = new JobAdmission(datasets, models, config.maxJobWork(), config.jobMemoryLimit(), trainer);
    } else {
      PostgresJobStore store = new PostgresJobStore(cluster.db(), ProtoCodecs.jobs(mapper));
      boolean hasGpu = trainer.resolveDevice(Device.AUTO) == Device.GPU;
      this.jobs =
          JobManager.clustered(
              store,
              runner,
              clock,
              ids::next,
              config.maxConcurrentJobs(),
              config.maxQueuedJobs(),
              trainingMetrics,
              new ClusterSettings(
                  cluster.settings().replicaId(), hasGpu, cluster.settings().jobLease(), ClusterSettings.DEFAULT_POLL_INTERVAL));
      admission =
          new JobAdmission(
              datasets,
              models,
              config.maxJobWork(),
              config.jobMemoryLimit(),
              trainer,
              device -> {
                // GPU jobs wait for a GPU replica; refused only when the cluster has none at all.
                if (device == Device.GPU && !store.anyReplicaWithGpu()) {
                  throw new TrainerdException.FailedPrecondition(
                      "GPU_UNAVAILABLE", "no replica of this cluster has a GPU; ask for device CPU or AUTO");
                }
              });
    }
    jobsRef.set(jobs);
    SweepMapper sweepMapper = new SweepMapper(specs, mapper);
    SweepMetrics sweepMetrics = new SweepMetrics();
    sweepMetrics.bindTo(registry);
    this.sweeps =
        new SweepManager(
            jobs,
            admission::check,
            new FileSweepRepository(config.dataDir(), ProtoCodecs.sweeps(sweepMapper)),
            clock,
            ids::next,
            sweepMetrics);
    this.grpc =
        new GrpcServerHost(
            serverBuilder,
            List.of(
                new DatasetGrpcService(datasets, new DatasetMetrics(registry), clock, config.maxStoredBytes()),
                new TrainingGrpcService(jobs, admission, specs, mapper, watchSender),
                new ModelGrpcService(models, mapper),
                new SweepGrpcService(sweeps, admission, sweepMapper, watchSender)),
            interceptors(config.security(), registry),
            config.security().reflection());
  }

  /** The cluster's shared services, opened before anything uses them. */
  private record Cluster(ServerConfig.Storage.Cluster settings, Database db, ObjectStore objects) {}

  private Cluster openCluster(ServerConfig.Storage.Cluster settings) {
    log.info("cluster mode: replica {}, {}, {}", settings.replicaId(), settings.postgres(), settings.objects());
    Database db = Database.open(settings.postgres());
    clusterResources.add(db);
    ObjectStore objects = ObjectStore.open(settings.objects());
    clusterResources.add(0, objects);
    return new Cluster(settings, db, objects);
  }

  /** Metrics first (so refused calls are counted too), then authentication when tokens are set. */
  private static List<ServerInterceptor> interceptors(ServerConfig.Security security, PrometheusMeterRegistry registry) {
    List<ServerInterceptor> out = new ArrayList<>();
    out.add(new MetricCollectingServerInterceptor(registry));
    if (security.tokensFile().isPresent()) {
      try {
        out.add(new AuthInterceptor(BearerTokens.load(security.tokensFile().get()), new AccessPolicy(security.reflection())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the tokens file " + security.tokensFile().get(), e);
      }
    }
    return out;
  }

  /** Plaintext, TLS, or TLS with required client certificates, as configured. */
  static ServerCredentials credentials(ServerConfig.Security security) throws IOException {
    if (!security.tls()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder tls =
        TlsServerCredentials.newBuilder().keyManager(security.certFile().get().toFile(), security.keyFile().get().toFile());
    if (security.clientCaFile().isPresent()) {
      tls.trustManager(security.clientCaFile().get().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return tls.build();
  }

  private static String instanceName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "localhost";
      }
    }
    return host;
  }

  /** The meter registry (for tests and the scrape endpoint). */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** The bound metrics port, or -1 when metrics are not served. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /** Builds the application on a TCP port from {@code config} and starts serving. */
  public static TrainerdApplication start(ServerConfig config) throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.host(), config.grpcPort()), credentials(config.security()))
            .maxInboundMessageSize(8 << 20)
            // Room for several 1 MiB upload chunks in flight: with the 1 MiB default a client
            // sent one chunk and waited for its window to reopen (upload of Fashion-MNIST's
            // training set 1.47 -> 1.31 s, medians of 3 alternating fresh servers). The initial
            // window, not flowControlWindow: Netty's window auto-tuning stays on.
            .initialFlowControlWindow(8 << 20);
    TfTrainer trainer = new TfTrainer(config.threads());
    TrainerdApplication app = new TrainerdApplication(config, builder, trainer, Clock.systemUTC());
    if (config.healthPort() >= 0) {
      app.grpc.withHealthOnly(
          NettyServerBuilder.forAddress(
              new InetSocketAddress(config.host(), config.healthPort()), InsecureServerCredentials.create()));
    }
    app.startServing();
    log.info(
        "trainerd serving gRPC{} on {}:{}, metrics on {}:{}{}, data in {}",
        config.security().tls() ? (config.security().clientCaFile().isPresent() ? " (mutual TLS)" : " (TLS)") : "",
        config.host(), app.grpcPort(), config.host(), app.metricsPort(), config.metricsPath(),
        config.dataDir().toAbsolutePath());
    if (app.grpc.healthPort() >= 0) {
      log.info("health checks (plaintext) on {}:{}", config.host(), app.grpc.healthPort());
    }
    log.info(
        "training at most {} job(s) at once, each within {} MiB outside the Java heap", config.maxConcurrentJobs(),
        config.jobMemoryLimit() >> 20);
    warmUpInBackground(
        app.datasets, trainer, app.backendMetrics,
        new JobPathRehearsal(trainer, config.threads(), Clock.systemUTC(), config.dataDir().resolve("rehearsal")));
    return app;
  }

  /**
   * Warms the upload path, then the backend up, then rehearses a job, on a background thread once
   * the server is serving.
   * The upload path first ({@link DatasetStore#warmUp}: hashing 4 MiB), so that a first large
   * upload is not hashed by interpreted code. Then the backend (loads its native library, probes
   * its devices, runs a first tiny training, see {@link Trainer#warmUp}). Last, a job rehearsed
   * through the whole job path on generated data ({@link JobPathRehearsal}, about 1 s of a core),
   * so that the first jobs do not share the cores with the JIT compiling that path. Start-up does
   * not wait for any of it, and neither does the first job, unless it arrives meanwhile (then it
   * waits for the same load, or shares the cores with the warm-up).
   */
  private static void warmUpInBackground(
      DatasetStore datasets, Trainer trainer, BackendMetrics backendMetrics, JobPathRehearsal rehearsal) {
    Thread warmUp =
        new Thread(
            () -> {
              try {
                long uploadsStarted = System.nanoTime();
                datasets.warmUp();
                log.info("upload path warmed up in {} ms", (System.nanoTime() - uploadsStarted) / 1_000_000);
              } catch (RuntimeException e) {
                log.warn("could not warm the upload path up: {}", e.toString());
              }
              try {
                long started = System.nanoTime();
                trainer.warmUp();
                Device device = trainer.resolveDevice(Device.AUTO);
                backendMetrics.probed(device == Device.GPU);
                logBackendReady(
                    trainer.backendVersion(), trainer.gpuBuild(), device, (System.nanoTime() - started) / 1_000_000);
              } catch (RuntimeException | LinkageError e) {
                log.warn("could not load the training backend ahead of the first job: {}", e.toString());
                return;
              }
              try {
                long started = System.nanoTime();
                log.info("rehearsing a job on generated data (its data sets, job and model are removed after)");
                JobPathRehearsal.Outcome outcome;
                boolean released;
                try {
                  outcome = rehearsal.run();
                } finally {
                  released = releaseUnusedMemory(trainer);
                }
                log.info(
                    "job path warmed up in {} ms (a rehearsed {}-epoch 5-fold job, {} events{})",
                    (System.nanoTime() - started) / 1_000_000, JobPathRehearsal.EPOCHS, outcome.events(),
                    released ? ", unused native memory released" : "");
              } catch (IOException | RuntimeException e) {
                log.warn("could not rehearse a job ahead of the first one: {}", e.toString());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "trainerd-backend-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  /**
   * After the rehearsal, its native memory is free but still resident until its Java owners are
   * collected, JavaCPP's deallocator thread frees what they owned, and the allocator hands the
   * pages back ({@link Trainer#releaseUnusedMemory}); a server about to idle pays that once. The
   * collection also shrinks the heap ({@link #collectShrinkingTheHeap}).
   */
  private static boolean releaseUnusedMemory(Trainer trainer) {
    collectShrinkingTheHeap();
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return trainer.releaseUnusedMemory();
  }

  /**
   * A full collection that hands the heap's free regions back too. After a collection the
   * collector keeps up to {@code MaxHeapFreeRatio} (70 %) of the heap free, and the regions the
   * warm-up's allocations had touched stayed resident: the heap's mapping held 46 MB after the
   * warm-up for 13 MB of live objects, a third of the idle server's Java memory. The ratios are
   * manageable at run time, so they are lowered for this one collection and then restored; where
   * they cannot be set (another JVM, or a collector that ignores them) it is a plain collection.
   */
  static void collectShrinkingTheHeap() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    String minFree = null;
    String maxFree = null;
    try {
      if (vm != null) {
        minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
        maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
        // The minimum first: the VM refuses a maximum below it.
        vm.setVMOption("MinHeapFreeRatio", "0");
        vm.setVMOption("MaxHeapFreeRatio", "10");
      }
    } catch (RuntimeException e) {
      log.debug("heap free ratios not settable, a plain collection: {}", e.toString());
    }
    System.gc();
    if (maxFree != null) {
      try {
        vm.setVMOption("MaxHeapFreeRatio", maxFree);
        vm.setVMOption("MinHeapFreeRatio", minFree);
      } catch (RuntimeException e) {
        log.warn("could not restore the heap free ratios: {}", e.toString());
      }
    }
  }

  /**
   * Logs the warmed-up backend and the device jobs get by default, and warns when its GPU build
   * found no GPU. Seen on a machine with CUDA 13 only: TensorFlow warns "Cannot dlopen some GPU
   * libraries", names them only in its verbose log, and every job trains on the CPU.
   */
  static void logBackendReady(String backend, boolean gpuBuild, Device device, long millis) {
    log.info(
        "backend {}{} warmed up in {} ms, training on {} by default{}", backend, gpuBuild ? " (GPU build)" : "", millis,
        device, device == Device.GPU ? " (models too small to gain from it on the CPU)" : "");
    if (gpuBuild && device != Device.GPU) {
      log.warn(
          "the GPU build found no GPU it can use, so jobs train on the CPU; it needs CUDA 12 and cuDNN 9"
              + " (docker/Dockerfile.gpu), and TF_CPP_VMODULE=dso_loader=1 makes TensorFlow name each"
              + " library it could not load");
    }
  }

  /** Starts the gRPC server; health turns SERVING. */
  public TrainerdApplication startServing() throws IOException {
    if (config.metricsPort() >= 0) {
      metricsEndpoint = new MetricsEndpoint(registry, config.host(), config.metricsPort(), config.metricsPath());
    }
    grpc.start();
    return this;
  }

  /** The bound gRPC port. */
  public int grpcPort() {
    return grpc.port();
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  /**
   * Graceful shutdown: health NOT_SERVING, no new jobs, running jobs get the configured grace and
   * are then cancelled and recorded, then the server stops.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("shutting down: draining, jobs get {}", config.shutdownGrace());
    grpc.drain();
    // Sweeps stop driving trials first; one still running is failed on the next start.
    sweeps.close();
    jobs.shutdown(config.shutdownGrace());
    grpc.close();
    watchSender.shutdown();
    models.close();
    for (AutoCloseable resource : clusterResources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("could not close {}: {}", resource, e.getMessage());
      }
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    registry.close();
  }
}
