package dev.trainerd.server;

import dev.trainerd.api.ProtoCodecs;
import dev.trainerd.api.ResourceMapper;
import dev.trainerd.api.SpecMapper;
import dev.trainerd.api.TrainingGrpcService;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.jobs.JobLifecycleListener;
import dev.trainerd.jobs.JobManager;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.WeightDecay;
import dev.trainerd.models.ModelService;
import dev.trainerd.store.AtomicFiles;
import dev.trainerd.store.DatasetStore;
import dev.trainerd.store.DatasetUsage;
import dev.trainerd.store.FileJobRepository;
import dev.trainerd.store.FileModelRepository;
import dev.trainerd.store.Ids;
import dev.trainerd.store.UploadSession;
import dev.trainerd.training.JobAdmission;
import dev.trainerd.training.JobData;
import dev.trainerd.training.TrainingJobRunner;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one small cross-validated job through the real job path, end to end but apart from the
 * server's own state, so that a fresh server's first jobs do not run beside the JIT compiling that
 * path. Measured on the 2-core VM: a fresh server's first house-price job took 0.4-0.5 s more than
 * a warm one, of which the job manager's per-epoch path alone was 0.1 s interpreted against 0.01 s
 * compiled, and the JIT compiled for 1.2 s of the two cores' time during it (BENCHMARKS.md, eighth
 * round). The backend's own warm-up ({@link Trainer#warmUp}) trains too little for that.
 *
 * <p>The rehearsal uploads two generated CSV tables (numbers and categories, with gaps) to a data
 * set store in a scratch folder, trains a 5-fold linear regression with the book's house-price
 * preprocessing through a job manager, a runner and a model store of its own, and watches it over
 * gRPC on a loopback socket, through a server of its own (see {@link #watchOverTheTransport}).
 * Nothing of it reaches the server's stores, metrics or listings, and the folder is removed
 * afterwards.
 */
final class JobPathRehearsal {
  /**
   * Rows of the generated training table (the second table has half as many). Few on purpose:
   * what the rehearsal leaves resident grew with them (idle RSS 367-369 MB with 200 rows, 382-386
   * with 400, 395-406 with 1,000; 342-357 without a rehearsal).
   */
  static final int ROWS = 200;
  /** Epochs of the rehearsed job: enough events for the JIT to compile the per-epoch path. */
  static final int EPOCHS = 200;
  /** The thread that sends the rehearsal's watch, ended when the rehearsal ends. */
  static final String SENDER_THREAD = "trainerd-rehearsal-watch-sender";

  private final Trainer trainer;
  private final Threads threads;
  private final Clock clock;
  private final Path scratch;

  /**
   * @param threads the server's thread settings, as its jobs get them
   * @param scratch a folder of the rehearsal's own, emptied before and removed after each run (a
   *     server killed meanwhile leaves it to the next start)
   */
  JobPathRehearsal(Trainer trainer, Threads threads, Clock clock, Path scratch) {
    this.trainer = trainer;
    this.threads = threads;
    this.clock = clock;
    this.scratch = scratch;
  }

  /** What a rehearsal did: its job's final state, and how many events its watcher saw. */
  record Outcome(String state, long events) {}

  /** Rehearses once; throws when the job did not succeed, so the caller can log why. */
  Outcome run() throws IOException, InterruptedException {
    AtomicFiles.deleteRecursively(scratch);
    Files.createDirectories(scratch);
    try {
      return run(scratch);
    } finally {
      AtomicFiles.deleteRecursively(scratch);
    }
  }

  private Outcome run(Path dir) throws IOException, InterruptedException {
    ResourceMapper mapper = new ResourceMapper(new SpecMapper());
    DatasetStore datasets =
        DatasetStore.open(
            dir.resolve("datasets"), 1 << 20, new DatasetParsers(List.of(new CsvParser())), DatasetUsage.NONE,
            clock, 1 << 20);
    String train = upload(datasets, "rehearsal-train.csv", table(ROWS, true), DatasetOptions.csv("price", "id"));
    String test =
        upload(datasets, "rehearsal-test.csv", table(ROWS / 2, false), DatasetOptions.csv("", "id"));
    try (ModelService models =
        new ModelService(new FileModelRepository(dir, ProtoCodecs.models(mapper)), datasets, trainer, 1)) {
      return rehearse(dir, datasets, models, train, test, mapper);
    }
  }

  private Outcome rehearse(
      Path dir, DatasetStore datasets, ModelService models, String train, String test, ResourceMapper mapper)
      throws InterruptedException {
    Ids ids = new Ids();
    TrainingJobRunner runner =
        new TrainingJobRunner(
            new JobData(datasets), models, trainer, ids::next, clock, threads, BuildInfo.trainerdVersion());
    JobManager jobs =
        new JobManager(
            new FileJobRepository(dir, ProtoCodecs.jobs(mapper)), runner, clock, ids::next, 1, 1,
            new JobLifecycleListener() {});
    try {
      TrainingSpec training =
          TrainingSpec.builder()
              .model(new ModelSpec.LinearRegression())
              .loss(new Loss.Squared())
              .initializer(new Initializer.Normal(0.01))
              .optimizer(Optimizer.Adam.defaults())
              .learningRate(1)
              .batchSize(64)
              .epochs(EPOCHS)
              .weightDecay(WeightDecay.none())
              .seed(0)
              .build();
      TrainingJobRecord job =
          jobs.create(
              "rehearsal",
              new JobSpec(train, new SplitSpec.KFold(5, false), training, Optional.of(test), Optional.empty()),
              "");
      long events = watchOverTheTransport(jobs, datasets, models, mapper, job.id());
      TrainingJobRecord done = jobs.get(job.id());
      if (!done.state().isTerminal() || done.failure().isPresent()) {
        throw new IllegalStateException(
            "the rehearsed job ended " + done.state() + done.failure().map(f -> ": " + f).orElse(""));
      }
      return new Outcome(done.state().name(), events);
    } finally {
      jobs.close();
    }
  }

  /**
   * Watches the job as a client does, over gRPC on a loopback socket served by a server of the
   * rehearsal's own (no interceptors, so nothing reaches the server's metrics), until the job
   * ends; returns how many events came. Its events go through the real watch path: the history's
   * mapping to messages, the watch's sender and coalescing, and the transport's framing, writes
   * and flushes. Watched in-process only, a fresh server's first jobs had the JIT compiling
   * Netty's sending path beside them, on two cores where the job's arithmetic uses both: the
   * compiler took 136 ms of the first house-price job and 24-37 ms of each of the next five,
   * against 34 and 0-19 ms with this watcher (BENCHMARKS.md, eleventh round).
   */
  private long watchOverTheTransport(
      JobManager jobs, DatasetStore datasets, ModelService models, ResourceMapper mapper, String jobId)
      throws InterruptedException {
    ScheduledExecutorService sender =
        Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, SENDER_THREAD));
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    Server server =
        NettyServerBuilder.forAddress(loopback)
            .withChildOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
            .addService(
                new TrainingGrpcService(
                    jobs, new JobAdmission(datasets, models, Long.MAX_VALUE, Long.MAX_VALUE, trainer), new SpecMapper(),
                    mapper, sender))
            .build();
    ManagedChannel channel = null;
    try {
      server.start();
      channel =
          NettyChannelBuilder.forAddress(new InetSocketAddress(loopback.getAddress(), server.getPort()))
              .withOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
              .usePlaintext()
              .build();
      Iterator<TrainingJobEvent> watch =
          TrainingServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.MINUTES)
              .watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName("trainingJobs/" + jobId).build());
      long events = 0;
      try {
        while (watch.hasNext()) {
          watch.next();
          events++;
        }
      } catch (StatusRuntimeException e) {
        jobs.cancel(jobId, "the rehearsal's watch failed");
        throw new IllegalStateException("the rehearsal's watch failed: " + e.getStatus(), e);
      }
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException("could not serve the rehearsal's watch on a loopback socket", e);
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      sender.shutdownNow();
      sender.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String upload(DatasetStore datasets, String file, String csv, DatasetOptions options) {
    try (UploadSession upload = datasets.beginUpload("rehearsal", options)) {
      upload.startFile(file);
      upload.write(csv.getBytes(StandardCharsets.UTF_8));
      return upload.commit().id();
    }
  }

  /**
   * A house-price-like table, deterministic: an id, numeric columns (two with gaps), categories
   * with a few to a few dozen levels (one with gaps) and, for training, a positive price that
   * depends on them.
   */
  static String table(int rows, boolean withPrice) {
    StringBuilder csv =
        new StringBuilder("id,area,rooms,year,lot,garage,quality,zone,neighborhood,style")
            .append(withPrice ? ",price\n" : "\n");
    String[] zones = {"RL", "RM", "FV", "RH", "C"};
    for (int i = 0; i < rows; i++) {
      int area = 600 + (i * 37) % 1900;
      int rooms = 2 + (i * 7) % 6;
      int year = 1900 + (i * 13) % 110;
      int quality = 1 + (i * 3) % 10;
      String zone = i % 11 == 5 ? "NA" : zones[(i * 3) % zones.length];
      csv.append(i + 1).append(',')
          .append(area).append(',')
          .append(rooms).append(',')
          .append(year).append(',')
          .append(i % 13 == 7 ? "NA" : Integer.toString(3000 + (i * 101) % 12000)).append(',')
          .append(i % 17 == 3 ? "" : Integer.toString((i * 5) % 4)).append(',')
          .append(quality).append(',')
          .append(zone).append(',')
          .append("N").append((i * 7) % 25).append(',')
          .append("S").append((i * 5) % 8);
      if (withPrice) {
        double price =
            30_000 + 60.0 * area + 4_000.0 * rooms + 300.0 * (year - 1900) + 9_000.0 * quality
                + (zone.equals("FV") ? 25_000 : 0) + (i * 7919) % 9_000;
        csv.append(',').append(String.format(Locale.ROOT, "%.0f", price));
      }
      csv.append('\n');
    }
    return csv.toString();
  }
}
