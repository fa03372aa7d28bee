package dev.trainerd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.EvaluationMetrics;
import dev.trainerd.v1.Objective;
import dev.trainerd.v1.Range;
import dev.trainerd.v1.SweepParameter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trainerctl sweeps} without a server: flag parsing, usage errors, the comparison plot. */
class SweepsCommandTest {

  private static int run(StringWriter err, String... args) {
    return Trainerctl.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err), false);
  }

  @Test
  void gridRandomAndObjectiveFlagsParse() {
    SweepParameter grid = SweepsCommand.Create.grid("lr=0.01,0.1");
    assertThat(grid.getName()).isEqualTo("lr");
    assertThat(grid.getValues().getValuesList()).containsExactly("0.01", "0.1");
    SweepParameter random = SweepsCommand.Create.random("weight-decay=loguniform:1e-5:1e-1");
    assertThat(random.getName()).isEqualTo("weight-decay");
    assertThat(random.getRange().getDistribution()).isEqualTo(Range.Distribution.LOG_UNIFORM);
    assertThat(random.getRange().getMin()).isEqualTo(1e-5);
    assertThat(random.getRange().getMax()).isEqualTo(1e-1);
    assertThat(SweepsCommand.Create.random("epochs=int:5:20").getRange().getDistribution()).isEqualTo(Range.Distribution.INTEGER);
    Objective objective = SweepsCommand.Create.objective("log-rmse:min");
    assertThat(objective.getMetric()).isEqualTo(Objective.Metric.LOG_RMSE);
    assertThat(objective.getDirection()).isEqualTo(Objective.Direction.MINIMIZE);
    assertThat(SweepsCommand.Create.objective("accuracy").getDirection()).isEqualTo(Objective.Direction.DIRECTION_UNSPECIFIED);
    assertThatThrownBy(() -> SweepsCommand.Create.grid("lr")).hasMessageContaining("NAME=V1,V2");
    assertThatThrownBy(() -> SweepsCommand.Create.random("lr=gauss:0:1")).hasMessageContaining("uniform, loguniform or int");
    assertThatThrownBy(() -> SweepsCommand.Create.random("lr=uniform:a:1")).hasMessageContaining("numbers");
    assertThatThrownBy(() -> SweepsCommand.Create.objective("f1:max")).hasMessageContaining("loss, accuracy, rmse or log_rmse");
    assertThatThrownBy(() -> SweepsCommand.Create.objective("loss:down")).hasMessageContaining("min or max");
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    for (String[] args :
        List.of(
            new String[] {"sweeps"},
            new String[] {"sweeps", "create", "--dataset", "d", "--model", "softmax", "--objective", "accuracy"},
            new String[] {"sweeps", "create", "--dataset", "d", "--model", "softmax", "--grid", "lr=0.1"},
            new String[] {"sweeps", "create", "--dataset", "d", "--model", "softmax", "--grid", "lr", "--objective", "loss"},
            new String[] {"sweeps", "create", "--dataset", "d", "--model", "softmax", "--random", "lr=x:1:2", "--objective", "loss"})) {
      StringWriter err = new StringWriter();
      assertThat(run(err, args)).as(String.join(" ", args)).isEqualTo(Trainerctl.EXIT_USAGE);
      assertThat(err.toString().lines().toList()).as(String.join(" ", args)).singleElement();
    }
  }

  @Test
  void trialCurvesCompareInOnePng(@TempDir Path dir) throws Exception {
    Map<String, List<EpochMetrics>> runs = new LinkedHashMap<>();
    for (int t = 1; t <= 3; t++) {
      List<EpochMetrics> epochs = new ArrayList<>();
      for (int e = 1; e <= 4; e++) {
        epochs.add(
            EpochMetrics.newBuilder()
                .setEpoch(e)
                .setTrain(EvaluationMetrics.newBuilder().setLoss(1.0 / (e * t)))
                .setEvaluation(EvaluationMetrics.newBuilder().setLoss(1.0 / e).setAccuracy(0.5 + e * t / 40.0))
                .build());
      }
      runs.put("trial " + t, epochs);
    }
    Path png = dir.resolve("sweep.png");
    TrainingCurves.writeComparisonPng(
        "sweep", runs, "accuracy", EvaluationMetrics::getAccuracy, EvaluationMetrics::hasAccuracy, png, 700, 500);
    assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(700);
    assertThatThrownBy(
            () ->
                TrainingCurves.writeComparisonPng(
                    "none", Map.of(), "accuracy", EvaluationMetrics::getAccuracy, EvaluationMetrics::hasAccuracy, png, 700, 500))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
