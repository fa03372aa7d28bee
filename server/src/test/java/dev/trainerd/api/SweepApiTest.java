package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.data.SharedData;
import dev.trainerd.v1.CancelSweepRequest;
import dev.trainerd.v1.CreateSweepRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.EarlyStopping;
import dev.trainerd.v1.GetSweepRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.GridValues;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.ListSweepsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Objective;
import dev.trainerd.v1.Range;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepEvent;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.WatchSweepRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps through the API on a Fashion-MNIST subset (2000 training and 1000 evaluation images
 * cut from the test files): a grid reports every trial and picks the best, the median rule stops
 * a poor trial early, cancel stops every trial, and mistakes come back as precise errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepApiTest {
  @TempDir static Path dir;
  private InProcessTrainerd server;
  private Dataset train;
  private Dataset test;

  @BeforeAll
  void start() throws Exception {
    server = new InProcessTrainerd(dir.resolve("data"), 2);
    UploadDatasetMetadata idx = UploadDatasetMetadata.newBuilder().setFormat(DatasetFormat.IDX).build();
    train =
        StreamingUpload.upload(
            server.channel, idx.toBuilder().setDisplayName("fashion 2000").build(), subset(dir.resolve("train"), 0, 2000));
    test =
        StreamingUpload.upload(
            server.channel, idx.toBuilder().setDisplayName("fashion 1000").build(), subset(dir.resolve("test"), 2000, 1000));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** Images and labels {@code [from, from + count)} of the t10k files, as gzipped IDX files. */
  private static List<Path> subset(Path into, int from, int count) throws IOException {
    Files.createDirectories(into);
    Path images = into.resolve("images-idx3-ubyte.gz");
    Path labels = into.resolve("labels-idx1-ubyte.gz");
    copyIdx(SharedData.fashionMnist("t10k-images-idx3-ubyte.gz"), images, 16, 28 * 28, from, count);
    copyIdx(SharedData.fashionMnist("t10k-labels-idx1-ubyte.gz"), labels, 8, 1, from, count);
    return List.of(images, labels);
  }

  private static void copyIdx(Path source, Path target, int header, int recordBytes, int from, int count) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(source)));
        DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(target)))) {
      byte[] head = in.readNBytes(header);
      java.nio.ByteBuffer.wrap(head).putInt(4, count);
      out.write(head);
      in.skipNBytes((long) from * recordBytes);
      out.write(in.readNBytes(count * recordBytes));
    }
  }

  private TrainingJobSpec.Builder mlp(int epochs) {
    return TrainingJobSpec.newBuilder()
        .setDataset(train.getName())
        .setSplit(Split.newBuilder().setTestDataset(test.getName()))
        .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(32))))
        .setBatchSize(128)
        .setEpochs(epochs)
        .setSeed(1);
  }

  private static SweepParameter grid(String name, String... values) {
    return SweepParameter.newBuilder().setName(name).setValues(GridValues.newBuilder().addAllValues(List.of(values))).build();
  }

  private static Objective accuracy() {
    return Objective.newBuilder().setMetric(Objective.Metric.ACCURACY).build();
  }

  private List<SweepEvent> watch(String name) {
    List<SweepEvent> events = new ArrayList<>();
    server.sweeps.watchSweep(WatchSweepRequest.newBuilder().setName(name).build()).forEachRemaining(events::add);
    return events;
  }

  @Test
  void aGridOverLearningRateAndHiddenUnitsReportsEveryTrialAndPicksTheBest() {
    Sweep created =
        server.sweeps.createSweep(
            CreateSweepRequest.newBuilder()
                .setSweep(
                    Sweep.newBuilder()
                        .setDisplayName("lr x hidden")
                        .setBaseSpec(mlp(5))
                        .addParameters(grid("lr", "0.1", "0.3"))
                        .addParameters(grid("hidden", "32", "64"))
                        .setParallelism(2)
                        .setObjective(accuracy()))
                .build());
    assertThat(created.getName()).startsWith("sweeps/");
    assertThat(created.getTrialCount()).as("0 means the grid's size").isEqualTo(4);
    assertThat(created.getObjective().getDirection()).isEqualTo(Objective.Direction.MAXIMIZE);
    assertThat(created.getTrialsList()).allSatisfy(t -> assertThat(t.getState()).isEqualTo(Trial.State.PENDING));

    List<SweepEvent> events = watch(created.getName());
    Sweep done = events.get(events.size() - 1).getSweep();
    assertThat(done.getState()).as("%s", done.getError()).isEqualTo(Sweep.State.SUCCEEDED);
    assertThat(events.stream().filter(SweepEvent::hasTrialEpoch)).hasSize(4 * 5);
    assertThat(done.getTrialsList()).hasSize(4);
    assertThat(done.getTrialsList())
        .allSatisfy(
            t -> {
              assertThat(t.getState()).isEqualTo(Trial.State.SUCCEEDED);
              assertThat(t.getMetrics().getAccuracy()).isEqualTo(t.getObjectiveValue());
              assertThat(t.getModel()).startsWith("models/");
              assertThat(t.getEpochsCompleted()).isEqualTo(5);
              TrainingJob job = server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(t.getTrainingJob()).build());
              assertThat(job.getSpec().getModel().getMlp().getHiddenLayers(0).getUnits())
                  .isEqualTo(Integer.parseInt(t.getParameters(1).getValue()));
              assertThat(job.getSpec().getLearningRate()).isEqualTo(Double.parseDouble(t.getParameters(0).getValue()));
            });
    assertThat(done.getTrialsList()).extracting(Trial::getRank).containsExactly(1, 2, 3, 4);
    assertThat(done.getTrialsList()).extracting(Trial::getObjectiveValue).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    Trial best = done.getTrials(0);
    assertThat(done.getBestTrial()).isEqualTo(best.getTrial());
    assertThat(done.getBestModel()).isEqualTo(best.getModel());
    assertThat(best.getObjectiveValue()).isGreaterThan(0.6);
    for (Trial t : done.getTrialsList()) {
      System.out.printf(
          "fashion grid trial %d %s: accuracy %.4f rank %d%n",
          t.getTrial(), t.getParametersList().stream().map(p -> p.getName() + "=" + p.getValue()).toList(), t.getObjectiveValue(), t.getRank());
    }
    Sweep got = server.sweeps.getSweep(GetSweepRequest.newBuilder().setName(created.getName()).build());
    assertThat(got).isEqualTo(done);
    assertThat(server.sweeps.listSweeps(ListSweepsRequest.getDefaultInstance()).getSweepsList())
        .extracting(Sweep::getName)
        .contains(created.getName());
  }

  @Test
  void theMedianRuleStopsAPoorTrialBeforeItsLastEpoch() {
    Sweep created =
        server.sweeps.createSweep(
            CreateSweepRequest.newBuilder()
                .setSweep(
                    Sweep.newBuilder()
                        // Epochs of 2,000 images take milliseconds, and the rule acts on the
                        // sweep's own thread: enough epochs that its cancel always lands first.
                        .setBaseSpec(mlp(16))
                        .addParameters(grid("learning_rate", "0.3", "0.00001"))
                        .setParallelism(1)
                        .setEarlyStopping(EarlyStopping.newBuilder().setWarmupEpochs(1).setMinTrials(1))
                        .setObjective(accuracy()))
                .build());
    List<SweepEvent> events = watch(created.getName());
    Sweep done = events.get(events.size() - 1).getSweep();
    assertThat(done.getState()).isEqualTo(Sweep.State.SUCCEEDED);
    Trial good = done.getTrials(0);
    Trial poor = done.getTrials(1);
    assertThat(good.getTrial()).isEqualTo(1);
    assertThat(good.getState()).isEqualTo(Trial.State.SUCCEEDED);
    assertThat(good.getEpochsCompleted()).isEqualTo(16);
    assertThat(poor.getState()).isEqualTo(Trial.State.EARLY_STOPPED);
    assertThat(poor.getEpochsCompleted()).isBetween(2, 15);
    assertThat(poor.getRank()).isZero();
    assertThat(poor.getError().getMessage()).contains("worse than the median");
    TrainingJob stoppedJob = server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(poor.getTrainingJob()).build());
    assertThat(stoppedJob.getState()).isEqualTo(TrainingJob.State.CANCELLED);
    assertThat(stoppedJob.getError().getMessage()).startsWith("stopped early by sweep");
    assertThat(done.getBestTrial()).isEqualTo(1);
  }

  @Test
  void cancelStopsEveryTrial() throws Exception {
    Sweep created =
        server.sweeps.createSweep(
            CreateSweepRequest.newBuilder()
                .setSweep(
                    Sweep.newBuilder()
                        .setBaseSpec(mlp(500))
                        .addParameters(
                            SweepParameter.newBuilder()
                                .setName("weight_decay")
                                .setRange(Range.newBuilder().setMin(1e-5).setMax(1e-1).setDistribution(Range.Distribution.LOG_UNIFORM)))
                        .setTrialCount(3)
                        .setParallelism(2)
                        .setSeed(5)
                        .setObjective(accuracy()))
                .build());
    Iterator<SweepEvent> stream = server.sweeps.watchSweep(WatchSweepRequest.newBuilder().setName(created.getName()).build());
    while (!stream.next().hasTrialEpoch()) {
      // Wait until a trial trains.
    }
    Sweep cancelling = server.sweeps.cancelSweep(CancelSweepRequest.newBuilder().setName(created.getName()).build());
    assertThat(cancelling.getState()).isIn(Sweep.State.CANCELLING, Sweep.State.CANCELLED);
    SweepEvent last = null;
    while (stream.hasNext()) {
      last = stream.next();
    }
    Sweep done = last.getSweep();
    assertThat(done.getState()).isEqualTo(Sweep.State.CANCELLED);
    assertThat(done.getTrialsList()).allSatisfy(t -> assertThat(t.getState()).isEqualTo(Trial.State.CANCELLED));
    assertThat(done.getTrialsList()).anySatisfy(t -> assertThat(t.getTrainingJob()).isEmpty());
    for (Trial t : done.getTrialsList()) {
      if (!t.getTrainingJob().isEmpty()) {
        TrainingJob job = server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(t.getTrainingJob()).build());
        assertThat(job.getState()).isEqualTo(TrainingJob.State.CANCELLED);
        assertThat(job.getEpochsCompleted()).isLessThan(500);
      }
    }
    assertThat(done.getTrialsList())
        .extracting(t -> t.getParameters(0).getValue())
        .allSatisfy(v -> assertThat(Double.parseDouble(v)).isBetween(1e-5, 1e-1));

    assertThatThrownBy(() -> server.sweeps.cancelSweep(CancelSweepRequest.newBuilder().setName(created.getName()).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void mistakesAreInvalidArgumentWithFieldViolations() throws Exception {
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server.sweeps.createSweep(
                    CreateSweepRequest.newBuilder()
                        .setSweep(
                            Sweep.newBuilder()
                                .setBaseSpec(mlp(1).setLearningRate(-1))
                                .addParameters(grid("learning_rate", "0.1", "zero"))
                                .addParameters(grid("colour", "red"))
                                .setParallelism(100))
                        .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    BadRequest bad = null;
    for (com.google.protobuf.Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
      if (detail.is(BadRequest.class)) {
        bad = detail.unpack(BadRequest.class);
      }
    }
    assertThat(bad).isNotNull();
    assertThat(bad.getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .contains(
            "sweep.base_spec.learning_rate", "sweep.objective.metric", "sweep.parameters[0].values.values[1]",
            "sweep.parameters[1].name");

    StatusRuntimeException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> server.sweeps.getSweep(GetSweepRequest.newBuilder().setName("sweeps/nosuchsweep").build()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

    StatusRuntimeException layer =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server.sweeps.createSweep(
                    CreateSweepRequest.newBuilder()
                        .setSweep(
                            Sweep.newBuilder().setBaseSpec(mlp(1)).addParameters(grid("dropout.2", "0.5")).setObjective(accuracy()))
                        .build()));
    assertThat(layer.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(layer.getStatus().getDescription()).contains("hidden layer 2");
  }
}
