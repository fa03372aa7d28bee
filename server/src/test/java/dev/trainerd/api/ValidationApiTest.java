package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.DeleteDatasetRequest;
import dev.trainerd.v1.DeleteTrainingJobRequest;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.FileChunk;
import dev.trainerd.v1.GetDatasetRequest;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.HuberLoss;
import dev.trainerd.v1.Initializer;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.Loss;
import dev.trainerd.v1.MixedInit;
import dev.trainerd.v1.MixedInitRule;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.MomentumOptimizer;
import dev.trainerd.v1.NormalInit;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.PolynomialRegression;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.SoftmaxCrossEntropyLoss;
import dev.trainerd.v1.SoftmaxRegression;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One case per validation rule: the status code and the field path a client gets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidationApiTest {
  private InProcessTrainerd server;
  private Dataset linear;
  private Dataset classes;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    server = new InProcessTrainerd(dir.resolve("data"));
    linear =
        server.datasets
            .createSyntheticDataset(
                CreateSyntheticDatasetRequest.newBuilder()
                    .setSeed(1)
                    .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.newBuilder().setExampleCount(50)))
                    .build())
            .getTrainDataset();
    Path csv = dir.resolve("iris.csv");
    Files.writeString(csv, "a,b,species\n1,2,x\n2,3,y\n3,4,x\n4,5,y\n5,6,x\n");
    classes =
        StreamingUpload.upload(
            server.channel,
            UploadDatasetMetadata.newBuilder().setDisplayName("tiny").setLabelColumn("species").build(),
            List.of(csv));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private TrainingJobSpec.Builder base() {
    return TrainingJobSpec.newBuilder()
        .setDataset(linear.getName())
        .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
        .setEpochs(1);
  }

  Stream<Arguments> invalidSpecs() {
    List<Object[]> cases =
        List.of(
            new Object[] {"dataset malformed", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setDataset("data/x"), "spec.dataset"},
            new Object[] {"model missing", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.clearModel(), "spec.model"},
            new Object[] {"learning rate negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setLearningRate(-0.1), "spec.learning_rate"},
            new Object[] {"learning rate NaN", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setLearningRate(Double.NaN), "spec.learning_rate"},
            new Object[] {"batch size negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setBatchSize(-1), "spec.batch_size"},
            new Object[] {"epochs too many", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setEpochs(1_000_000), "spec.epochs"},
            new Object[] {"weight decay negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setWeightDecay(-1), "spec.weight_decay"},
            new Object[] {"intra-op threads negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setIntraOpThreads(-1), "spec.intra_op_threads"},
            new Object[] {"inter-op threads too many", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setInterOpThreads(5000), "spec.inter_op_threads"},
            new Object[] {"precision unknown to this server", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setPrecisionValue(7), "spec.precision"},
            new Object[] {"mlp without layers", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(ModelSpec.newBuilder().setMlp(Mlp.getDefaultInstance())), "spec.model.mlp.hidden_layers"},
            new Object[] {"hidden units zero", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(mlp(HiddenLayer.newBuilder().setUnits(0))), "spec.model.mlp.hidden_layers[0].units"},
            new Object[] {"dropout one", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(mlp(HiddenLayer.newBuilder().setUnits(4).setDropout(1))), "spec.model.mlp.hidden_layers[0].dropout"},
            new Object[] {"polynomial degree too high", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(ModelSpec.newBuilder().setPolynomial(PolynomialRegression.newBuilder().setDegree(99))), "spec.model.polynomial.degree"},
            new Object[] {"holdout fraction above one", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setSplit(Split.newBuilder().setHoldoutFraction(1.5)), "spec.split.holdout_fraction"},
            new Object[] {"one fold", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(1))), "spec.split.k_fold.folds"},
            new Object[] {"test data set malformed", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setSplit(Split.newBuilder().setTestDataset("x")), "spec.split.test_dataset"},
            new Object[] {"huber rho negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setLoss(Loss.newBuilder().setHuber(HuberLoss.newBuilder().setRho(-1))), "spec.loss.huber.rho"},
            new Object[] {"normal sigma negative", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setInitializer(Initializer.newBuilder().setNormal(NormalInit.newBuilder().setSigma(-1))), "spec.initializer.normal.sigma"},
            new Object[] {"mixed rule bad pattern", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setInitializer(Initializer.newBuilder().setMixed(MixedInit.newBuilder().addRules(MixedInitRule.newBuilder().setPattern("(").setInitializer(Initializer.newBuilder().setNormal(NormalInit.getDefaultInstance()))))), "spec.initializer.mixed.rules[0].pattern"},
            new Object[] {"momentum above one", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setOptimizer(Optimizer.newBuilder().setMomentum(MomentumOptimizer.newBuilder().setMomentum(1.5))), "spec.optimizer.momentum.momentum"},
            new Object[] {"adam beta1 one", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setOptimizer(Optimizer.newBuilder().setAdam(AdamOptimizer.newBuilder().setBeta1(1))), "spec.optimizer.adam.beta1"},
            new Object[] {"softmax model with a regression loss", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance())).setLoss(Loss.newBuilder().setSquared(dev.trainerd.v1.SquaredLoss.getDefaultInstance())), "spec.loss"},
            new Object[] {"class loss on real targets", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(mlp(HiddenLayer.newBuilder().setUnits(4))).setLoss(Loss.newBuilder().setSoftmaxCrossEntropy(SoftmaxCrossEntropyLoss.getDefaultInstance())), "spec.loss"},
            new Object[] {"polynomial of two features", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setModel(ModelSpec.newBuilder().setPolynomial(PolynomialRegression.newBuilder().setDegree(3))), "spec.model.polynomial"},
            new Object[] {"more folds than examples", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(51))), "spec.split.k_fold.folds"},
            new Object[] {"warm start model malformed", (UnaryOperator<TrainingJobSpec.Builder>) s -> s.setInitializer(Initializer.newBuilder().setLoad(dev.trainerd.v1.LoadInit.newBuilder().setModel("m"))), "spec.initializer.load.model"});
    return cases.stream().map(c -> Arguments.of(c[0], c[1], c[2]));
  }

  private static ModelSpec mlp(HiddenLayer.Builder layer) {
    return ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(layer)).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidJobSpecsNameTheField(String name, UnaryOperator<TrainingJobSpec.Builder> change, String field) {
    TrainingJobSpec spec = change.apply(base()).build();
    assertThatThrownBy(() -> server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(TrainingApiTest.violations(e)).contains(field);
            });
  }

  @Test
  void requestFieldsOutsideTheSpecAreChecked() {
    assertInvalid(() -> server.training.createTrainingJob(CreateTrainingJobRequest.getDefaultInstance()), "spec");
    assertInvalid(
        () -> server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder().setSpec(base()).setRequestId("has spaces").build()),
        "request_id");
    assertInvalid(
        () -> server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder().setSpec(base()).setDisplayName("x".repeat(201)).build()),
        "display_name");
    assertInvalid(() -> server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName("jobs/1").build()), "name");
    assertInvalid(() -> server.training.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setPageSize(-1).build()), "page_size");
    assertInvalid(() -> server.training.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setPageToken("garbage!").build()), "page_token");
    assertInvalid(
        () -> server.training.listTrainingJobs(
            ListTrainingJobsRequest.newBuilder().addStatesValue(0).build()),
        "states[0]");
    assertInvalid(() -> server.datasets.getDataset(GetDatasetRequest.newBuilder().setName("datasets/../../etc").build()), "name");
  }

  @Test
  void aGpuJobOnAServerWithoutOneFailsItsPrecondition() {
    assertCode(
        () -> server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder().setSpec(base().setDevice(dev.trainerd.v1.Device.GPU)).build()),
        Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void missingResourcesAreNotFound() {
    assertCode(() -> server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName("trainingJobs/nope").build()), Status.Code.NOT_FOUND);
    assertCode(() -> server.models.getModel(GetModelRequest.newBuilder().setName("models/nope").build()), Status.Code.NOT_FOUND);
    assertCode(() -> server.datasets.getDataset(GetDatasetRequest.newBuilder().setName("datasets/aaaaaaaaaaaaaaaa").build()), Status.Code.NOT_FOUND);
    assertCode(
        () -> server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder().setSpec(base().setDataset("datasets/aaaaaaaaaaaaaaaa")).build()),
        Status.Code.NOT_FOUND);
  }

  @Test
  void requestIdMakesCreationIdempotent() {
    CreateTrainingJobRequest request =
        CreateTrainingJobRequest.newBuilder().setSpec(base().setSeed(3)).setRequestId("create-once-1").build();
    TrainingJob first = server.training.createTrainingJob(request);
    TrainingJob again = server.training.createTrainingJob(request);
    assertThat(again.getName()).isEqualTo(first.getName());
    assertCode(
        () -> server.training.createTrainingJob(request.toBuilder().setSpec(base().setSeed(4)).build()),
        Status.Code.ALREADY_EXISTS);
    server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(first.getName()).build())
        .forEachRemaining(e -> {});
  }

  @Test
  void dataSetsInUseCannotBeDeletedAndRunningJobsCannotBeDeleted() {
    TrainingJob job =
        server.training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder()
                .setSpec(base().setModel(mlp(HiddenLayer.newBuilder().setUnits(8))).setEpochs(10_000).setBatchSize(1))
                .build());
    assertCode(() -> server.datasets.deleteDataset(DeleteDatasetRequest.newBuilder().setName(linear.getName()).build()), Status.Code.FAILED_PRECONDITION);
    assertCode(() -> server.training.deleteTrainingJob(DeleteTrainingJobRequest.newBuilder().setName(job.getName()).build()), Status.Code.FAILED_PRECONDITION);
    server.training.cancelTrainingJob(dev.trainerd.v1.CancelTrainingJobRequest.newBuilder().setName(job.getName()).build());
    server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
        .forEachRemaining(e -> {});
    server.training.deleteTrainingJob(DeleteTrainingJobRequest.newBuilder().setName(job.getName()).build());
  }

  @Test
  void predictChecksItsInputs() {
    TrainingJob job =
        server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(base()).build());
    List<dev.trainerd.v1.TrainingJobEvent> events = new java.util.ArrayList<>();
    server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
        .forEachRemaining(events::add);
    String model = events.get(events.size() - 1).getStateChange().getJob().getModel();
    assertInvalid(() -> server.models.predict(PredictRequest.newBuilder().setName(model).build()), "inputs");
    assertInvalid(
        () -> server.models.predict(
            PredictRequest.newBuilder()
                .setName(model)
                .addInputs(PredictionInput.newBuilder().setFeatures(FeatureVector.newBuilder().addValues(1)))
                .build()),
        "inputs[0].features.values");
    assertInvalid(
        () -> server.models.predict(PredictRequest.newBuilder().setName(model).addInputs(PredictionInput.getDefaultInstance()).build()),
        "inputs[0]");
  }

  @Test
  void badUploadsAreRejectedAndStoreNothing() throws Exception {
    int before = server.datasets.listDatasets(dev.trainerd.v1.ListDatasetsRequest.getDefaultInstance()).getDatasetsCount();
    StatusRuntimeException noMetadata =
        uploadRaw(
            List.of(UploadDatasetRequest.newBuilder().setChunk(FileChunk.newBuilder().setFileName("a.csv").setData(ByteString.copyFromUtf8("a\n1\n"))).build()));
    assertThat(noMetadata.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(TrainingApiTest.violations(noMetadata)).contains("metadata");

    StatusRuntimeException ragged =
        uploadRaw(
            List.of(
                UploadDatasetRequest.newBuilder().setMetadata(UploadDatasetMetadata.newBuilder().setLabelColumn("y")).build(),
                UploadDatasetRequest.newBuilder().setChunk(FileChunk.newBuilder().setFileName("r.csv").setData(ByteString.copyFromUtf8("x,y\n1,2\n3\n"))).build()));
    assertThat(ragged.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(ragged.getStatus().getDescription()).contains("row 2");

    StatusRuntimeException synthetic =
        uploadRaw(List.of(UploadDatasetRequest.newBuilder().setMetadata(UploadDatasetMetadata.newBuilder().setFormat(DatasetFormat.SYNTHETIC)).build()));
    assertThat(TrainingApiTest.violations(synthetic)).contains("metadata.format");

    assertThat(server.datasets.listDatasets(dev.trainerd.v1.ListDatasetsRequest.getDefaultInstance()).getDatasetsCount()).isEqualTo(before);
  }

  @Test
  void uploadsOverTheLimitAreResourceExhausted(@TempDir Path dir) throws Exception {
    try (InProcessTrainerd small = new InProcessTrainerd(dir, 1, 1024)) {
      StatusRuntimeException e =
          uploadRaw(
              small,
              List.of(
                  UploadDatasetRequest.newBuilder().setMetadata(UploadDatasetMetadata.getDefaultInstance()).build(),
                  UploadDatasetRequest.newBuilder()
                      .setChunk(FileChunk.newBuilder().setFileName("big.csv").setData(ByteString.copyFrom(new byte[2048])))
                      .build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(small.datasets.listDatasets(dev.trainerd.v1.ListDatasetsRequest.getDefaultInstance()).getDatasetsCount())
          .isZero();
    }
  }

  private StatusRuntimeException uploadRaw(List<UploadDatasetRequest> messages) throws Exception {
    return uploadRaw(server, messages);
  }

  private static StatusRuntimeException uploadRaw(InProcessTrainerd target, List<UploadDatasetRequest> messages)
      throws Exception {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    StreamObserver<UploadDatasetRequest> requests =
        target.datasetsAsync.uploadDataset(
            new StreamObserver<>() {
              @Override
              public void onNext(Dataset value) {}

              @Override
              public void onError(Throwable t) {
                outcome.complete(t);
              }

              @Override
              public void onCompleted() {
                outcome.complete(null);
              }
            });
    for (UploadDatasetRequest m : messages) {
      requests.onNext(m);
    }
    requests.onCompleted();
    return (StatusRuntimeException) outcome.get(30, TimeUnit.SECONDS);
  }

  private static void assertInvalid(Runnable call, String field) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(TrainingApiTest.violations(e)).contains(field);
            });
  }

  private static void assertCode(Runnable call, Status.Code code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }
}
