package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.v1.CreateSweepRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.GetSweepRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.GridValues;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Objective;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepEvent;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.WatchSweepRequest;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep records survive a restart; a sweep cut short by one ends FAILED with its trials cancelled. */
class SweepDurabilityApiTest {
  @TempDir Path dataDir;

  private static Sweep sweep(Dataset data, int epochs, int batch, String... rates) {
    return Sweep.newBuilder()
        .setBaseSpec(
            TrainingJobSpec.newBuilder()
                .setDataset(data.getName())
                .setSplit(Split.newBuilder().setHoldoutFraction(0.2))
                .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
                .setBatchSize(batch)
                .setEpochs(epochs)
                .setSeed(1))
        .addParameters(SweepParameter.newBuilder().setName("lr").setValues(GridValues.newBuilder().addAllValues(List.of(rates))))
        .setObjective(Objective.newBuilder().setMetric(Objective.Metric.RMSE))
        .build();
  }

  @Test
  void sweepsSurviveARestartAndARunningOneEndsFailed() throws Exception {
    Sweep finished;
    Sweep interrupted;
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      Sweep created = server.sweeps.createSweep(CreateSweepRequest.newBuilder().setSweep(sweep(data, 2, 10, "0.03", "0.01")).build());
      Iterator<SweepEvent> events = server.sweeps.watchSweep(WatchSweepRequest.newBuilder().setName(created.getName()).build());
      SweepEvent last = null;
      while (events.hasNext()) {
        last = events.next();
      }
      finished = last.getSweep();
      assertThat(finished.getState()).isEqualTo(Sweep.State.SUCCEEDED);
      assertThat(finished.getTrials(0).getObjectiveValue()).isLessThan(0.1);

      interrupted = server.sweeps.createSweep(CreateSweepRequest.newBuilder().setSweep(sweep(data, 100_000, 1, "0.001", "0.002")).build());
      Iterator<SweepEvent> running = server.sweeps.watchSweep(WatchSweepRequest.newBuilder().setName(interrupted.getName()).build());
      while (!running.next().hasTrialEpoch()) {
        // Wait until the first trial trains, then stop the server under it.
      }
    }
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      assertThat(server.sweeps.getSweep(GetSweepRequest.newBuilder().setName(finished.getName()).build())).isEqualTo(finished);
      Sweep failed = server.sweeps.getSweep(GetSweepRequest.newBuilder().setName(interrupted.getName()).build());
      assertThat(failed.getState()).isEqualTo(Sweep.State.FAILED);
      assertThat(failed.getError().getMessage()).contains("restarted");
      assertThat(failed.getTrialsList()).allSatisfy(t -> assertThat(t.getState()).isEqualTo(Trial.State.CANCELLED));
      for (Trial t : failed.getTrialsList()) {
        if (!t.getTrainingJob().isEmpty()) {
          TrainingJob job = server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(t.getTrainingJob()).build());
          assertThat(job.getState()).isIn(TrainingJob.State.FAILED, TrainingJob.State.CANCELLED);
        }
      }
    }
  }
}
