package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graceful shutdown: a running job gets the grace period, then is cancelled and recorded. */
class ShutdownApiTest {
  @TempDir Path dir;

  @Test
  void aJobStillRunningAfterTheGraceIsCancelledAndRecorded() throws Exception {
    String name;
    InProcessTrainerd server = new InProcessTrainerd(dir);
    try {
      Dataset data =
          server.datasets
              .createSyntheticDataset(
                  CreateSyntheticDatasetRequest.newBuilder()
                      .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()))
                      .build())
              .getTrainDataset();
      TrainingJob job =
          server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(
                      TrainingJobSpec.newBuilder()
                          .setDataset(data.getName())
                          .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(8))))
                          .setBatchSize(1)
                          .setEpochs(100_000))
                  .build());
      name = job.getName();
      while (server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(name).build()).getState()
          != TrainingJob.State.RUNNING) {
        Thread.sleep(20);
      }
    } finally {
      server.close(); // the job gets InProcessTrainerd's 5 s grace, then is cancelled
    }
    try (InProcessTrainerd restarted = new InProcessTrainerd(dir)) {
      TrainingJob after = restarted.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(name).build());
      assertThat(after.getState()).isEqualTo(TrainingJob.State.CANCELLED);
      assertThat(after.getError().getMessage()).contains("shutdown");
      assertThat(after.getModel()).isEmpty();
    }
  }
}
