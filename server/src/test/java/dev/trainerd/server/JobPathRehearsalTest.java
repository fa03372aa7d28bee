package dev.trainerd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.JobShape;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.tf.TfTrainer;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up rehearsal: a real job on generated data, in a scratch folder removed after. */
class JobPathRehearsalTest {
  private static final TfTrainer TRAINER = new TfTrainer();

  @Test
  void rehearsesACrossValidatedJobWatchedOverALoopbackSocketAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
    Path scratch = dir.resolve("rehearsal");
    // What a server killed during its rehearsal leaves.
    Files.createDirectories(scratch.resolve("jobs"));
    Files.writeString(scratch.resolve("jobs").resolve("stale.events"), "left by a killed server");

    JobPathRehearsal.Outcome outcome =
        new JobPathRehearsal(TRAINER, Threads.defaults(), Clock.systemUTC(), scratch).run();

    assertThat(outcome.state()).isEqualTo("SUCCEEDED");
    // Every fold's epochs, the folds, the final model's epochs, and the state changes.
    assertThat(outcome.events()).isGreaterThanOrEqualTo(5L * JobPathRehearsal.EPOCHS + 5 + JobPathRehearsal.EPOCHS);
    assertThat(scratch).doesNotExist();
    // The watch's sender has stopped (its thread may take a moment to exit after its pool ends).
    for (int i = 0; i < 100 && senderAlive(); i++) {
      Thread.sleep(50);
    }
    assertThat(senderAlive()).isFalse();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  private static boolean senderAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(JobPathRehearsal.SENDER_THREAD));
  }

  @Test
  void aJobThatFailsIsReportedAndItsFolderRemovedAllTheSame(@TempDir Path dir) {
    Path scratch = dir.resolve("rehearsal");
    Trainer failing = new CrossValidationFails(TRAINER);

    assertThatThrownBy(() -> new JobPathRehearsal(failing, Threads.defaults(), Clock.systemUTC(), scratch).run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FAILED")
        .hasMessageContaining("injected");
    assertThat(scratch).doesNotExist();
  }

  @Test
  void theGeneratedTablesAreShapedLikeTheHousePriceTables() {
    CsvParser parser = new CsvParser();
    String csv = JobPathRehearsal.table(JobPathRehearsal.ROWS, true);
    Table train = parser.parseTable("train.csv", () -> new StringReader(csv), DatasetOptions.csv("price", "id"));
    Table test =
        parser.parseTable(
            "test.csv", () -> new StringReader(JobPathRehearsal.table(JobPathRehearsal.ROWS / 2, false)),
            DatasetOptions.csv("", "id"));

    assertThat(train.rowCount()).isEqualTo(JobPathRehearsal.ROWS);
    assertThat(test.rowCount()).isEqualTo(JobPathRehearsal.ROWS / 2);
    // Numbers with gaps and categories with gaps, as the book's preprocessing expects.
    assertThat(csv).contains(",NA,").contains(",,");
    assertThat(csv.lines().skip(1).map(line -> line.split(",")[8]).distinct().count()).isEqualTo(25);
    assertThat(csv.lines().skip(1).mapToDouble(line -> Double.parseDouble(line.split(",")[10])).min().orElseThrow())
        .isPositive();
    assertThat(JobPathRehearsal.table(JobPathRehearsal.ROWS, true)).isEqualTo(csv);
  }

  /** The real trainer, except that cross-validation fails. */
  private record CrossValidationFails(Trainer real) implements Trainer {
    @Override
    public TrainedModel train(
        TrainingSpec spec, Examples train, Optional<EpochAugmentation> augmentation, Optional<Examples> evaluation,
        TrainingListener listener, CancellationSignal cancel) {
      return real.train(spec, train, augmentation, evaluation, listener, cancel);
    }

    @Override
    public CrossValidationResult crossValidate(
        TrainingSpec spec, Examples examples, Optional<EpochAugmentation> augmentation, Folds folds,
        TrainingListener listener, CancellationSignal cancel) {
      throw new IllegalStateException("injected failure");
    }

    @Override
    public long memoryEstimate(TrainingSpec spec, JobShape shape) {
      return real.memoryEstimate(spec, shape);
    }

    @Override
    public Predictor predictor(TrainedModel model) {
      return real.predictor(model);
    }

    @Override
    public void exportSavedModel(TrainedModel model, Path directory) {
      real.exportSavedModel(model, directory);
    }

    @Override
    public String backendVersion() {
      return real.backendVersion();
    }

    @Override
    public Device resolveDevice(Device requested) {
      return real.resolveDevice(requested);
    }
  }
}
