package dev.trainerd.bench;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.trainerd.data.Table;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.tf.TfTrainer;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.FoldResult;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.Preprocessing;
import dev.trainerd.v1.SoftmaxRegression;
import dev.trainerd.v1.StateChange;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end benchmark of the service, as a client sees it: starts the packaged server as a
 * process and measures cold start to SERVING, idle resident memory, the Fashion-MNIST upload and
 * parse, the chapter's models from job creation to SUCCEEDED (per-epoch medians from the job's own
 * epoch timings, and the overhead of the service around them; again with mixed bfloat16
 * precision), house prices 5-fold x 100 epochs,
 * and throughput with 1, 2 and 4 concurrent jobs. Each float32 job is followed by the same job on
 * the bare engine in this process while the server idles, to give the service's overhead over
 * the engine from two runs seconds apart (the VM's speed drifts over minutes). Softmax regression
 * and house prices run twice on both sides ({@code *_second}): a process's first job of a kind
 * also pays for loading and compiling the code it runs, so the first job's overhead and a warm
 * job's are given apart; house prices then alternate {@code --house-pairs} more times between the
 * two sides, for medians of warm jobs ({@code house_prices_5fold_warm_pairs}), every other pair
 * starting with the bare engine. The server is measured idle, and jobs start, only once its
 * warm-up (which rehearses a job) has ended.
 *
 * <p>This process shares the server's cores, so it keeps out of the way of what it measures: its
 * own gRPC client is compiled before the server starts (see {@link #warmClientStack}), it reads
 * watches as the SDK does (a window of messages ahead of the reader, see {@link #watch}), every
 * measured job, on either side, starts after {@code --settle-ms} of quiet (what the previous job
 * left running, such as this process's compiling of the bare engine's code, is then over), and
 * each job's entry gives this process's CPU over it ({@code client_cpu_s}). Run it with the
 * server's JVM options (BENCHMARKS.md does): the bare engine then runs as the server's engine
 * does, and this process's JIT finishes its compiling in milliseconds instead of taking 0.1-0.2 s
 * of CPU from the server's first jobs. Prints one JSON object.
 *
 * <p>Usage: {@code java -XX:TieredStopAtLevel=1 -cp 'server/target/trainerd-server.jar:server/target/lib/*'
 * dev.trainerd.bench.ServiceBench [--jar server/target/trainerd-server.jar] [--data ../shared/data]
 * [--work DIR] [--house-pairs 15] [--settle-ms 500] [--jvm-options OPTIONS]}:
 * the server runs as the README's {@code java -XX:TieredStopAtLevel=1 -jar} unless other JVM
 * options are given ({@code --jvm-options ''} for none).
 */
public final class ServiceBench {
  private static final Pattern READY = Pattern.compile("serving gRPC(?: \\([^)]*\\))? on [^:]+:(\\d+)");

  /** The JVM options of the README's command for the server. */
  private static final String README_JVM_OPTIONS = "-XX:TieredStopAtLevel=1";

  private ServiceBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of("server/target/trainerd-server.jar");
    Path data = Path.of(System.getProperty("trainerd.shared.data", "../shared/data"));
    Path work = Files.createTempDirectory("trainerd-bench-");
    int housePairs = 15;
    long settleMillis = 500;
    List<String> jvmOptions = List.of(README_JVM_OPTIONS);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jvm-options" -> jvmOptions = words(args[++i]);
        case "--jar" -> jar = Path.of(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--house-pairs" -> housePairs = Integer.parseInt(args[++i]);
        case "--settle-ms" -> settleMillis = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> fields = new ArrayList<>();
    Map<String, Double> endToEnd = new LinkedHashMap<>();
    Map<String, Double> bare = new LinkedHashMap<>();
    warmClientStack(work);
    BareEngine engine = new BareEngine(data, settleMillis);
    long launched = System.nanoTime();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString(),
        "--host", "127.0.0.1", "--grpc-port", "0", "--metrics-port", "-1", "--data-dir", work.resolve("data").toString()));
    fields.add("\"server_jvm_options\":\"" + String.join(" ", jvmOptions) + "\"");
    // The bare engine runs in this JVM: the comparison is even when both have the same options.
    fields.add("\"bench_jvm_options\":\"" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\"");
    fields.add("\"settle_ms\":" + settleMillis);
    Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      CountDownLatch warmedUp = new CountDownLatch(1);
      int port = awaitPort(server, warmedUp);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      while (health.check(HealthCheckRequest.getDefaultInstance()).getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
        Thread.sleep(10);
      }
      fields.add(kv("cold_start_to_serving_s", (System.nanoTime() - launched) / 1e9));
      // Idle means after the warm-up (which trains throwaway models and rehearses a job), then a pause.
      if (!warmedUp.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server did not log the end of its warm-up within 60 s");
      }
      Thread.sleep(2000);
      fields.add(kv("idle_rss_mb", rssMb(server.pid())));

      Path fm = data.resolve("fashion-mnist");
      long uploadStart = System.nanoTime();
      Dataset train = StreamingUpload.upload(channel, UploadDatasetMetadata.newBuilder().setFormat(DatasetFormat.IDX).build(),
          List.of(fm.resolve("train-images-idx3-ubyte.gz"), fm.resolve("train-labels-idx1-ubyte.gz")));
      fields.add(kv("fashion_mnist_train_upload_and_parse_s", (System.nanoTime() - uploadStart) / 1e9));
      Dataset test = StreamingUpload.upload(channel, UploadDatasetMetadata.newBuilder().setFormat(DatasetFormat.IDX).build(),
          List.of(fm.resolve("t10k-images-idx3-ubyte.gz"), fm.resolve("t10k-labels-idx1-ubyte.gz")));

      TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(channel);
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(channel);
      TrainingServiceGrpc.TrainingServiceStub watching = TrainingServiceGrpc.newStub(channel);
      Service service = new Service(training, watching, models, endToEnd, settleMillis);
      TrainingJobSpec.Builder fashion =
          TrainingJobSpec.newBuilder().setDataset(train.getName()).setSplit(Split.newBuilder().setTestDataset(test.getName()))
              .setBatchSize(256).setEpochs(10).setSeed(0);
      ModelSpec softmax = ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance()).build();
      ModelSpec mlp = ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(256))).build();
      ModelSpec dropout = ModelSpec.newBuilder().setMlp(Mlp.newBuilder()
          .addHiddenLayers(HiddenLayer.newBuilder().setUnits(256).setDropout(0.2))
          .addHiddenLayers(HiddenLayer.newBuilder().setUnits(256).setDropout(0.5))).build();
      fields.add(service.job("softmax", fashion.clone().setModel(softmax).setLearningRate(0.1).build()));
      bare.put("softmax", engine.fashionMnist("softmax"));
      // The same job again: the first job of a kind in a process also pays for loading and
      // compiling its code paths, so the overhead is given for a first and a second job.
      fields.add(service.job("softmax_second", fashion.clone().setModel(softmax).setLearningRate(0.1).build()));
      bare.put("softmax_second", engine.fashionMnist("softmax"));
      fields.add(service.job("mlp", fashion.clone().setModel(mlp).setLearningRate(0.1).build()));
      bare.put("mlp", engine.fashionMnist("mlp"));
      fields.add(service.job("dropout_mlp", fashion.clone().setModel(dropout).setLearningRate(0.5).build()));
      bare.put("dropout_mlp", engine.fashionMnist("dropout"));
      TrainingJobSpec.Builder mixed = fashion.clone().setPrecision(Precision.PRECISION_MIXED_BFLOAT16);
      fields.add(service.job("softmax_mixed_bfloat16", mixed.clone().setModel(softmax).setLearningRate(0.1).build()));
      fields.add(service.job("mlp_mixed_bfloat16", mixed.clone().setModel(mlp).setLearningRate(0.1).build()));
      fields.add(service.job("dropout_mlp_mixed_bfloat16", mixed.clone().setModel(dropout).setLearningRate(0.5).build()));

      Path hp = data.resolve("house-prices");
      Dataset kaggleTrain = StreamingUpload.upload(channel, UploadDatasetMetadata.newBuilder().setLabelColumn("SalePrice").setIdColumn("Id").build(), List.of(hp.resolve("train.csv")));
      Dataset kaggleTest = StreamingUpload.upload(channel, UploadDatasetMetadata.newBuilder().setIdColumn("Id").build(), List.of(hp.resolve("test.csv")));
      TrainingJobSpec house =
          TrainingJobSpec.newBuilder().setDataset(kaggleTrain.getName())
              .setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(5)))
              .setPreprocessing(Preprocessing.newBuilder().setFitAlsoOnDataset(kaggleTest.getName()))
              .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
              .setOptimizer(Optimizer.newBuilder().setAdam(AdamOptimizer.getDefaultInstance()))
              .setLearningRate(5).setBatchSize(64).setEpochs(100).setSeed(0).build();
      fields.add(service.job("house_prices_5fold", house));
      bare.put("house_prices_5fold", engine.housePrices());
      fields.add(service.job("house_prices_5fold_second", house));
      bare.put("house_prices_5fold_second", engine.housePrices());
      // A 0.6 s job on a shared 2-core VM: one pair's overhead moved by -0.3 to +0.4 from pair to
      // pair, so warm jobs are also given as medians over alternating pairs.
      List<Double> warmService = new ArrayList<>();
      List<Double> warmEngine = new ArrayList<>();
      for (int i = 0; i < housePairs; i++) {
        String name = "house_prices_5fold_warm_" + i;
        // Every other pair starts with the bare engine: a drift of the host's speed within a
        // pair then favours neither side.
        if (i % 2 == 1) {
          warmEngine.add(engine.housePrices());
        }
        service.job(name, house);
        warmService.add(endToEnd.remove(name));
        if (i % 2 == 0) {
          warmEngine.add(engine.housePrices());
        }
      }
      if (housePairs > 0) {
        fields.add(pairs("house_prices_5fold_warm_pairs", warmService, warmEngine));
      }

      StringBuilder concurrency = new StringBuilder();
      for (int n : new int[] {1, 2, 4}) {
        long start = System.nanoTime();
        List<TrainingJob> jobs = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          jobs.add(training.createTrainingJob(CreateTrainingJobRequest.newBuilder()
              .setSpec(fashion.clone().setModel(softmax).setLearningRate(0.1).setEpochs(5).setSeed(j)).build()));
        }
        for (TrainingJob job : jobs) {
          watch(watching, job.getName(), event -> {});
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        concurrency.append(concurrency.length() > 0 ? "," : "")
            .append(String.format(Locale.ROOT, "\"%d\":{\"wall_s\":%.3f,\"epochs_per_s\":%.2f}", n, seconds, n * 5 / seconds));
      }
      fields.add("\"concurrent_softmax_jobs_5_epochs\":{" + concurrency + "}");
      channel.shutdownNow();
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    fields.add(bareEngineEntries(bare, endToEnd));
    System.out.println("{" + String.join(",", fields) + "}");
  }

  /**
   * The service's side of the comparison: runs a job through the server after a pause of {@code
   * settleMillis} (so that what the previous job left running, this process's compiling of the
   * bare engine's code or the server's saving of a model, is over), and records its seconds in
   * {@code endToEnd}.
   */
  private record Service(
      TrainingServiceGrpc.TrainingServiceBlockingStub training,
      TrainingServiceGrpc.TrainingServiceStub watching,
      ModelServiceGrpc.ModelServiceBlockingStub models,
      Map<String, Double> endToEnd,
      long settleMillis) {

    String job(String name, TrainingJobSpec spec) throws InterruptedException {
      Thread.sleep(settleMillis);
      double clientCpuStart = processCpuSeconds();
      long start = System.nanoTime();
      TrainingJob job = training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec).build());
      // Events stream as they happen: the last fold's result marks the end of cross-validation
      // (the final model on every example trains after it).
      long[] foldsDone = {0};
      double[] clientCpuAtFolds = {0};
      List<TrainingJobEvent> events =
          watch(
              watching,
              job.getName(),
              event -> {
                if (event.hasFold()) {
                  foldsDone[0] = System.nanoTime();
                  clientCpuAtFolds[0] = processCpuSeconds();
                }
              });
      double wall = (System.nanoTime() - start) / 1e9;
      TrainingJob done = done(events);
      // This process's CPU over the measured span (receiving the events, and any compiling or
      // collecting of its own), taken from the two cores the server trains on.
      double clientCpu = (done.hasCrossValidation() ? clientCpuAtFolds[0] : processCpuSeconds()) - clientCpuStart;
      double[] epochs = events.stream().filter(TrainingJobEvent::hasEpoch)
          .mapToDouble(e -> Durations.toNanos(e.getEpoch().getDuration()) / 1e9).toArray();
      double sum = Arrays.stream(epochs).sum();
      double[] afterFirst = epochs.length > 1 ? Arrays.copyOfRange(epochs, 1, epochs.length) : epochs;
      Arrays.sort(afterFirst);
      double median = afterFirst.length == 0 ? 0 : EngineBench.median(afterFirst);
      String quality;
      double crossValidated = (foldsDone[0] - start) / 1e9;
      endToEnd.put(name, done.hasCrossValidation() ? crossValidated : wall);
      if (done.hasCrossValidation()) {
        quality = String.format(Locale.ROOT, "\"create_to_cross_validated_s\":%.3f,\"mean_validation_log_rmse\":%.4f",
            crossValidated, done.getCrossValidation().getMeanValidation().getLogRmse());
      } else {
        quality = String.format(Locale.ROOT, "\"test_accuracy\":%.4f", done.getLatestEpoch().getEvaluation().getAccuracy());
      }
      // Where it trained (a GPU when the server's native build sees one), read after the timing.
      String device = done.getModel().isEmpty()
          ? "NONE"
          : models.getModel(GetModelRequest.newBuilder().setName(done.getModel()).build()).getProvenance().getDevice().name();
      return String.format(
          Locale.ROOT,
          "\"%s\":{\"state\":\"%s\",\"device\":\"%s\",\"epochs\":%d,\"median_epoch_s\":%.4f,\"sum_epochs_s\":%.3f,\"create_to_succeeded_s\":%.3f,\"overhead_over_epoch_sum\":%.3f,\"client_cpu_s\":%.3f,%s}",
          name, done.getState(), device, epochs.length, median, sum, wall, sum > 0 ? wall / sum - 1 : 0, clientCpu, quality);
    }
  }

  /**
   * The service's jobs on the bare engine in this process: the engine's whole {@code train}
   * (graph, session, data made resident, epochs with their test evaluation) or, for house prices,
   * the book's preprocessing of the parsed tables and {@code crossValidate}, after the same
   * warm-up the server runs.
   */
  private static final class BareEngine {
    private final TfTrainer trainer = new TfTrainer();
    private final Examples train;
    private final Examples test;
    private final List<Table> houseTables;
    private final long settleMillis;

    BareEngine(Path data, long settleMillis) throws IOException {
      this.settleMillis = settleMillis;
      trainer.warmUp();
      Path fm = data.resolve("fashion-mnist");
      train = EngineBench.load(fm, "train");
      test = EngineBench.load(fm, "t10k");
      houseTables = EngineBench.houseTables(data);
    }

    /** Seconds for one of {@link EngineBench#spec}'s models, 10 epochs, seed 0 as the service's. */
    double fashionMnist(String model) throws InterruptedException {
      Thread.sleep(settleMillis);
      TrainingSpec spec = EngineBench.spec(model, 10, Threads.defaults(), Device.AUTO).toBuilder().seed(0).build();
      long started = System.nanoTime();
      trainer.train(spec, train, Optional.of(test), TrainingListener.none(), CancellationSignal.never());
      return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Seconds for the house-price job's own work, as a library user of the engine would do it
     * too: the book's preprocessing of the parsed tables (the service fits it per job), then the
     * folds.
     */
    double housePrices() throws InterruptedException {
      Thread.sleep(settleMillis);
      long started = System.nanoTime();
      Examples house = EngineBench.preprocessedHouse(houseTables);
      trainer.crossValidate(
          EngineBench.houseSpec(Threads.defaults(), Device.AUTO), house, new Folds(5, false, 0), TrainingListener.none(),
          CancellationSignal.never());
      return (System.nanoTime() - started) / 1e9;
    }
  }

  /**
   * Pairs of the same job on the service and the bare engine (in either order): the medians of
   * each side, the median of the pairs' overheads, and every pair's overhead.
   */
  private static String pairs(String name, List<Double> service, List<Double> engine) {
    List<Double> overheads = new ArrayList<>();
    for (int i = 0; i < service.size(); i++) {
      overheads.add(service.get(i) / engine.get(i) - 1);
    }
    StringBuilder each = new StringBuilder();
    for (double o : overheads) {
      each.append(each.length() > 0 ? "," : "").append(String.format(Locale.ROOT, "%.3f", o));
    }
    return String.format(
        Locale.ROOT,
        "\"%s\":{\"pairs\":%d,\"median_service_s\":%.3f,\"median_engine_s\":%.3f,\"median_pair_overhead\":%.3f,\"pair_overheads\":[%s]}",
        name, service.size(), median(service), median(engine), median(overheads), each);
  }

  private static double median(List<Double> values) {
    return EngineBench.median(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
  }

  /** Per job, the bare engine's seconds, the service's, and the service's overhead over the engine. */
  private static String bareEngineEntries(Map<String, Double> bare, Map<String, Double> endToEnd) {
    List<String> entries = new ArrayList<>();
    bare.forEach((name, seconds) -> entries.add(engineEntry(name, seconds, endToEnd)));
    return "\"bare_engine\":{" + String.join(",", entries) + "}";
  }

  private static String engineEntry(String name, double engineSeconds, Map<String, Double> endToEnd) {
    double service = endToEnd.getOrDefault(name, Double.NaN);
    return String.format(
        Locale.ROOT, "\"%s\":{\"engine_s\":%.3f,\"service_s\":%.3f,\"service_overhead\":%.3f}",
        name, engineSeconds, service, service / engineSeconds - 1);
  }

  private static TrainingJob done(List<TrainingJobEvent> events) {
    return events.get(events.size() - 1).getStateChange().getJob();
  }

  private static double processCpuSeconds() {
    return EngineBench.processCpuNanos() / 1e9;
  }

  /**
   * Watches a job to its end as the SDK's watches read (a window of {@link #WATCH_WINDOW} messages
   * delivered ahead of the reader, not gRPC's one at a time, whose round trip per message cost this
   * process 24-27 ms of CPU per cross-validation watch); {@code onEvent} sees each event on gRPC's
   * thread as it arrives. Returns every event.
   */
  private static List<TrainingJobEvent> watch(
      TrainingServiceGrpc.TrainingServiceStub training, String job, Consumer<TrainingJobEvent> onEvent) throws InterruptedException {
    List<TrainingJobEvent> events = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    training.watchTrainingJob(
        WatchTrainingJobRequest.newBuilder().setName(job).build(),
        new ClientResponseObserver<WatchTrainingJobRequest, TrainingJobEvent>() {
          private ClientCallStreamObserver<WatchTrainingJobRequest> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<WatchTrainingJobRequest> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(WATCH_WINDOW);
          }

          @Override
          public void onNext(TrainingJobEvent event) {
            onEvent.accept(event);
            events.add(event);
            if (events.size() % (WATCH_WINDOW / 2) == 0) {
              call.request(WATCH_WINDOW / 2);
            }
          }

          @Override
          public void onError(Throwable t) {
            failure.set(t);
            ended.countDown();
          }

          @Override
          public void onCompleted() {
            ended.countDown();
          }
        });
    ended.await();
    if (failure.get() != null) {
      throw new IllegalStateException("the watch of " + job + " failed", failure.get());
    }
    return events;
  }

  private static List<String> words(String text) {
    return text.isBlank() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(text.trim().split("\\s+")));
  }

  private static String kv(String key, double value) {
    return String.format(Locale.ROOT, "\"%s\":%.3f", key, value);
  }

  private static double rssMb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return -1;
  }

  /** Messages a watch lets the transport deliver ahead of the reader, as the SDK's watches do. */
  private static final int WATCH_WINDOW = 64;

  /** Watches of {@link #madeUpCrossValidation} before measuring: enough for the JIT to compile its path. */
  private static final int WARM_WATCHES = 50;

  /**
   * 5 folds x 200 epochs of events as a cross-validation job sends them (training and validation
   * metrics, durations, times), then the folds' results and the end.
   */
  private static List<TrainingJobEvent> madeUpCrossValidation() {
    List<TrainingJobEvent> out = new ArrayList<>();
    long sequence = 0;
    for (int epoch = 1; epoch <= 200; epoch++) {
      for (int fold = 0; fold < 5; fold++) {
        EvaluationMetrics metrics =
            EvaluationMetrics.newBuilder().setLoss(1.0 / epoch).setRmse(0.5 / epoch).setLogRmse(0.1 + 0.01 * fold)
                .setExampleCount(1168).build();
        out.add(TrainingJobEvent.newBuilder().setSequence(++sequence).setTime(Timestamps.fromNanos(System.nanoTime()))
            .setEpoch(EpochMetrics.newBuilder().setEpoch(epoch).setFold(fold).setTrain(metrics).setEvaluation(metrics)
                .setWeightL2Norm(epoch).setDuration(Durations.fromMicros(700)).setExamplesPerSecond(1.6e6))
            .build());
      }
    }
    for (int fold = 0; fold < 5; fold++) {
      out.add(TrainingJobEvent.newBuilder().setSequence(++sequence)
          .setFold(FoldResult.newBuilder().setFold(fold).setTrain(EvaluationMetrics.getDefaultInstance())).build());
    }
    out.add(TrainingJobEvent.newBuilder().setSequence(++sequence)
        .setStateChange(StateChange.newBuilder().setState(TrainingJob.State.SUCCEEDED)).build());
    return out;
  }

  /**
   * Loads this JVM's gRPC client stack (Netty, TLS-free transport, the health and data set stubs,
   * a streaming upload, a watch of many events) against a throwaway local server, so that the
   * cold start, the upload and the jobs measured next are the server's and not this process's
   * first channel, first upload and first event streams. This process shares the server's two
   * cores: without the watch, it was still compiling its receiving path (Netty's HTTP/2 reads,
   * gRPC's deframer, the events' parsers) during the first house-price jobs, which stream about
   * 600 events in 0.6 s, for 0.1-0.2 s of CPU taken from the server's job (PrintCompilation and
   * per-thread CPU of this process during each job). The throwaway server only drains the upload
   * and sends made-up events shaped like a cross-validation's.
   */
  private static void warmClientStack(Path work) throws Exception {
    HealthStatusManager status = new HealthStatusManager();
    DatasetServiceGrpc.DatasetServiceImplBase drain =
        new DatasetServiceGrpc.DatasetServiceImplBase() {
          @Override
          public StreamObserver<UploadDatasetRequest> uploadDataset(StreamObserver<Dataset> response) {
            return new StreamObserver<>() {
              @Override
              public void onNext(UploadDatasetRequest request) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                response.onNext(Dataset.getDefaultInstance());
                response.onCompleted();
              }
            };
          }
        };
    List<TrainingJobEvent> all = madeUpCrossValidation();
    TrainingServiceGrpc.TrainingServiceImplBase events =
        new TrainingServiceGrpc.TrainingServiceImplBase() {
          @Override
          public void watchTrainingJob(WatchTrainingJobRequest request, StreamObserver<TrainingJobEvent> response) {
            // An epoch's five events at a time with a pause between, as the server's watch sends
            // bursts, so that each event-loop wake-up of this client is compiled too.
            for (int i = 0; i < all.size(); i++) {
              response.onNext(all.get(i));
              if (i % 5 == 4) {
                LockSupport.parkNanos(100_000);
              }
            }
            response.onCompleted();
          }
        };
    Server local =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(status.getHealthService())
            .addService(drain)
            .addService(events)
            .build()
            .start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", local.getPort()).usePlaintext().build();
    Path sample = Files.createTempFile(work, "warm-up", ".bin");
    try {
      HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
      Files.write(sample, new byte[8 << 20]);
      StreamingUpload.upload(channel, UploadDatasetMetadata.getDefaultInstance(), List.of(sample));
      TrainingServiceGrpc.TrainingServiceStub training = TrainingServiceGrpc.newStub(channel);
      for (int i = 0; i < WARM_WATCHES; i++) {
        watch(training, "", event -> {});
      }
    } finally {
      Files.deleteIfExists(sample);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      local.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Reads the server's output until it logs the port it serves on, then keeps draining it on a
   * daemon thread, counting {@code warmedUp} down when the server's warm-up has ended (upload
   * path, backend, then a rehearsed job: see {@code TrainerdApplication}).
   */
  private static int awaitPort(Process server, CountDownLatch warmedUp) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      Matcher m = READY.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> {
          try {
            String next;
            while ((next = in.readLine()) != null) {
              // The warm-up's last step: the rehearsed job (or a warning that ends the warm-up).
              if (next.contains("job path warmed up") || next.contains("could not rehearse")
                  || next.contains("could not load the training backend")) {
                warmedUp.countDown();
              }
            }
          } catch (IOException ignored) {
            // the server exited
          }
        });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new IllegalStateException("the server exited before serving");
  }

}
