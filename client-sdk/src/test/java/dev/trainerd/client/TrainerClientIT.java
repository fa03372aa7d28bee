package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Parameter;
import dev.trainerd.v1.Prediction;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against the packaged server: uploads with progress, the book's house-price model
 * trained, watched (blocking and async), awaited, predicted, evaluated and exported; paging;
 * errors with their field violations.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerClientIT {
  private TrainerdServer server;
  private TrainerClient client;
  private Dataset train;
  private Dataset test;
  private final List<long[]> progress = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  void startAndUpload(@TempDir Path dataDir) throws Exception {
    server = new TrainerdServer(dataDir);
    client = TrainerClient.newBuilder(server.target()).defaultDeadline(Duration.ofSeconds(60)).build();
    train =
        client
            .datasets()
            .upload(
                DatasetUpload.newBuilder()
                    .displayName("house prices train")
                    .labelColumn("SalePrice")
                    .idColumn("Id")
                    .addFile(SharedData.housePrices("train.csv"))
                    .chunkBytes(64 * 1024)
                    .progressListener((file, sent, total) -> progress.add(new long[] {sent, total}))
                    .build());
    try (InputStream csv = Files.newInputStream(SharedData.housePrices("test.csv"))) {
      test =
          client
              .datasets()
              .upload(
                  dev.trainerd.v1.UploadDatasetMetadata.newBuilder().setDisplayName("house prices test").setIdColumn("Id").build(),
                  "test.csv",
                  csv);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void uploadsFromPathAndStreamParseAndReportProgressPerChunk() throws Exception {
    long size = Files.size(SharedData.housePrices("train.csv"));
    assertThat(progress).hasSize((int) ((size + 64 * 1024 - 1) / (64 * 1024)));
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i)[0]).isGreaterThan(progress.get(i - 1)[0]);
    }
    assertThat(progress.get(progress.size() - 1)).containsExactly(size, size);

    assertThat(train.getTask()).isEqualTo(TaskType.REGRESSION);
    assertThat(train.getExampleCount()).isEqualTo(1460);
    assertThat(train.getLabelColumn()).isEqualTo("SalePrice");
    assertThat(test.getTask()).isEqualTo(TaskType.UNLABELLED);
    assertThat(test.getExampleCount()).isEqualTo(1459);
    assertThat(client.datasets().get(train.getName())).isEqualTo(train);
    assertThat(client.isServing()).isTrue();
  }

  @Test
  void housePriceModelTrainsWatchesAwaitsPredictsEvaluatesAndExports(@TempDir Path out) throws Exception {
    TrainingJobSpec spec =
        JobSpec.newBuilder()
            .dataset(train.getName())
            .linear()
            .adam()
            .learningRate(5)
            .batchSize(64)
            .epochs(100)
            .weightDecay(0)
            .fitAlsoOn(test.getName())
            .seed(1)
            .build();
    String requestId = UUID.randomUUID().toString();
    TrainingJob job = client.jobs().create("house prices", spec, requestId);
    assertThat(client.jobs().create("house prices", spec, requestId).getName()).isEqualTo(job.getName());

    List<EpochMetrics> asyncEpochs = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<TrainingJob> asyncFinished = new CompletableFuture<>();
    WatchHandle asyncWatch =
        client
            .jobs()
            .watch(
                job.getName(),
                new TrainingJobListener() {
                  @Override
                  public void onEpoch(EpochMetrics epoch) {
                    asyncEpochs.add(epoch);
                  }

                  @Override
                  public void onFinished(TrainingJob finished) {
                    asyncFinished.complete(finished);
                  }

                  @Override
                  public void onError(TrainerException error) {
                    asyncFinished.completeExceptionally(error);
                  }
                });

    List<Integer> epochs = new ArrayList<>();
    TrainingJobEvent last = null;
    try (JobWatch watch = client.jobs().watch(job.getName())) {
      while (watch.hasNext()) {
        last = watch.next();
        if (last.hasEpoch()) {
          epochs.add(last.getEpoch().getEpoch());
        }
      }
    }
    assertThat(epochs).isEqualTo(IntStream.rangeClosed(1, 100).boxed().toList());
    assertThat(last.getStateChange().getState()).isEqualTo(TrainingJob.State.SUCCEEDED);

    TrainingJob done = client.jobs().awaitCompletion(job.getName(), Duration.ofMinutes(5));
    assertThat(done.getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
    assertThat(asyncFinished.get(30, TimeUnit.SECONDS).getName()).isEqualTo(job.getName());
    assertThat(asyncEpochs).hasSize(100);
    asyncWatch.close();
    // The book reaches a training log RMSE of about 0.16 with these hyperparameters.
    assertThat(done.getLatestEpoch().getTrain().getLogRmse()).isLessThan(0.25);

    Model model = client.models().get(done.getModel());
    assertThat(model.getHistoryCount()).isEqualTo(100);
    List<Parameter> parameters = client.models().parameters(done.getModel());
    assertThat(parameters).extracting(Parameter::getName).contains("dense0/weight", "dense0/bias");
    Parameter weight = parameters.stream().filter(p -> p.getName().equals("dense0/weight")).findFirst().orElseThrow();
    assertThat(weight.getShapeList()).containsExactly((long) model.getFeatureCount(), 1L);

    Path csv = out.resolve("submission.csv");
    assertThat(client.models().batchPredict(done.getModel(), test.getName(), csv)).isEqualTo(1459);
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(1460);
    assertThat(lines.get(0)).isEqualTo("Id,SalePrice");
    assertThat(lines.get(1)).startsWith("1461,");

    // Raw rows through the stored preprocessing give the same predictions as the batch.
    List<String> testRows = Files.readAllLines(SharedData.housePrices("test.csv"));
    String[] header = testRows.get(0).split(",", -1);
    List<Map<String, String>> raw = new ArrayList<>();
    for (int r = 1; r <= 3; r++) {
      String[] cells = testRows.get(r).split(",", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.length; c++) {
        row.put(header[c], cells[c]);
      }
      raw.add(row);
    }
    List<Prediction> predictions = client.models().predictRaw(done.getModel(), raw);
    assertThat(predictions).hasSize(3);
    for (int r = 0; r < 3; r++) {
      double batchValue = Double.parseDouble(lines.get(r + 1).split(",")[1]);
      assertThat(predictions.get(r).getValue()).isCloseTo(batchValue, within(Math.abs(batchValue) * 1e-5 + 1e-3));
    }

    EvaluationMetrics evaluation = client.models().evaluate(done.getModel(), train.getName());
    assertThat(evaluation.getExampleCount()).isEqualTo(1460);
    assertThat(evaluation.getLogRmse()).isLessThan(0.25);

    Path zip = client.models().export(done.getModel(), out);
    assertThat(zip.getFileName().toString()).endsWith(".zip");
    Set<String> entries = new HashSet<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.add(e.getName());
      }
    }
    assertThat(entries).contains("saved_model.pb");
    assertThat(client.models().list().stream().map(Model::getName)).contains(done.getModel());
  }

  @Test
  void listsPageLazilyAcrossPagesAndDeletes() {
    List<String> created = new ArrayList<>();
    for (long seed = 100; seed < 105; seed++) {
      created.add(
          client
              .datasets()
              .createSynthetic(
                  "paging " + seed,
                  SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.newBuilder().setExampleCount(10)).build(),
                  seed)
              .getTrainDataset()
              .getName());
    }
    List<String> pagedByTwo = client.datasets().list(2).stream().map(Dataset::getName).toList();
    List<String> onePage = client.datasets().list(1000).stream().map(Dataset::getName).toList();
    assertThat(pagedByTwo).hasSizeGreaterThanOrEqualTo(7).doesNotHaveDuplicates().isEqualTo(onePage);
    assertThat(pagedByTwo).containsAll(created);

    client.datasets().delete(created.get(0));
    assertThatThrownBy(() -> client.datasets().get(created.get(0)))
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void anInvalidSpecFailsWithItsFieldViolations() {
    TrainingJobSpec bad =
        TrainingJobSpec.newBuilder()
            .setDataset(train.getName())
            .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
            .setLearningRate(-1)
            .setWeightDecay(-1)
            .build();
    assertThatThrownBy(() -> client.jobs().create(CreateTrainingJobRequest.newBuilder().setSpec(bad).build()))
        .isInstanceOfSatisfying(
            TrainerException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.reason()).isNotEmpty();
              assertThat(e.fieldViolations()).extracting(FieldViolation::field).contains("spec.learning_rate", "spec.weight_decay");
              assertThat(e.oneLine()).startsWith("INVALID_ARGUMENT: ").contains("spec.learning_rate");
            });
    // The builder rejects the same values before sending, naming the same fields.
    assertThatThrownBy(() -> JobSpec.newBuilder().dataset(train.getName()).linear().learningRate(-1).weightDecay(-1).build())
        .isInstanceOfSatisfying(
            TrainerException.class,
            e -> assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("spec.learning_rate", "spec.weight_decay"));
  }

  @Test
  void awaitTimesOutOnARunningJobAndCancelEndsIt() {
    Dataset linear =
        client
            .datasets()
            .createSynthetic("long", SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()).build(), 7)
            .getTrainDataset();
    TrainingJob job =
        client.jobs().create(JobSpec.newBuilder().dataset(linear.getName()).linear().batchSize(1).epochs(10_000).learningRate(0.01).build());
    assertThatThrownBy(() -> client.jobs().awaitCompletion(job.getName(), Duration.ofMillis(300)))
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    client.jobs().cancel(job.getName());
    assertThat(client.jobs().awaitCompletion(job.getName(), Duration.ofMinutes(2)).getState()).isEqualTo(TrainingJob.State.CANCELLED);
    assertThat(client.jobs().list(0, List.of(TrainingJob.State.CANCELLED)).stream().map(TrainingJob::getName)).contains(job.getName());
  }

  @Test
  void aSweepRunsRanksItsTrialsAndNamesTheBestModel() {
    TrainingJobSpec base =
        JobSpec.newBuilder()
            .dataset(train.getName())
            .holdout(0.2)
            .linear()
            .adam()
            .logTarget(true)
            .batchSize(64)
            .epochs(30)
            .fitAlsoOn(test.getName())
            .seed(1)
            .build();
    dev.trainerd.v1.Sweep created =
        client
            .sweeps()
            .create(
                dev.trainerd.v1.Sweep.newBuilder()
                    .setDisplayName("sdk sweep")
                    .setBaseSpec(base)
                    .addParameters(Sweeps.grid("lr", "0.03", "0.1"))
                    .addParameters(Sweeps.range("weight_decay", 1e-5, 1e-3, dev.trainerd.v1.Range.Distribution.LOG_UNIFORM))
                    .setTrialCount(2)
                    .setParallelism(2)
                    .setSeed(3)
                    .setObjective(dev.trainerd.v1.Objective.newBuilder().setMetric(dev.trainerd.v1.Objective.Metric.LOG_RMSE))
                    .build());
    assertThat(created.getState()).isEqualTo(dev.trainerd.v1.Sweep.State.RUNNING);
    int trialEvents = 0;
    try (Sweeps.Watch events = client.sweeps().watch(created.getName())) {
      while (events.hasNext()) {
        trialEvents += events.next().hasTrial() ? 1 : 0;
      }
    }
    assertThat(trialEvents).as("each trial starts and ends").isEqualTo(4);
    dev.trainerd.v1.Sweep done = client.sweeps().awaitCompletion(created.getName(), Duration.ofMinutes(5));
    assertThat(done.getState()).as("%s", done.getError()).isEqualTo(dev.trainerd.v1.Sweep.State.SUCCEEDED);
    assertThat(done.getTrialsList()).extracting(dev.trainerd.v1.Trial::getRank).containsExactly(1, 2);
    assertThat(done.getTrials(0).getObjectiveValue()).isLessThanOrEqualTo(done.getTrials(1).getObjectiveValue());
    assertThat(done.getBestModel()).isEqualTo(done.getTrials(0).getModel());
    assertThat(client.models().get(done.getBestModel()).getSpec().getLogTarget()).isTrue();
    assertThat(client.sweeps().list(0).stream().map(dev.trainerd.v1.Sweep::getName)).contains(done.getName());
    assertThatThrownBy(() -> client.sweeps().cancel(done.getName()))
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThatThrownBy(() -> client.sweeps().get("nosuchsweep"))
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void aCallerOwnedChannelStaysOpenAfterClose() {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(server.target())
            .usePlaintext()
            .defaultServiceConfig(TrainerClient.serviceConfig())
            .enableRetry()
            .build();
    try {
      TrainerClient borrowed = TrainerClient.forChannel(channel);
      assertThat(borrowed.datasets().get(train.getName()).getName()).isEqualTo(train.getName());
      borrowed.close();
      assertThat(channel.isShutdown()).isFalse();
      assertThatThrownBy(() -> borrowed.datasets().get("datasets/aaaaaaaaaaaaaaaa"))
          .isInstanceOfSatisfying(
              TrainerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(e.reason()).isNotEmpty();
              });
    } finally {
      channel.shutdownNow();
    }
  }
}
