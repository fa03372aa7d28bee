package dev.trainerd.client;

import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.Prediction;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The README's SDK example, compiled with the tests so that it stays correct. */
public final class ReadmeExample {
  private ReadmeExample() {}

  /** Uploads Fashion-MNIST, trains softmax regression, watches it and predicts. */
  public static void main(String[] args) {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data/fashion-mnist");
    try (TrainerClient client = TrainerClient.newBuilder("localhost:50051").build()) {
      // Upload: an IDX data set is its images and labels files in one upload.
      Dataset train = client.datasets().upload(DatasetUpload.newBuilder()
          .displayName("fashion-mnist train")
          .format(DatasetFormat.IDX)
          .addFile(data.resolve("train-images-idx3-ubyte.gz"))
          .addFile(data.resolve("train-labels-idx1-ubyte.gz"))
          .progressListener((file, sent, total) -> System.out.printf("\r%s %d/%d bytes", file, sent, total))
          .build());
      Dataset test = client.datasets().upload(DatasetUpload.newBuilder()
          .displayName("fashion-mnist test")
          .addFile(data.resolve("t10k-images-idx3-ubyte.gz"))
          .addFile(data.resolve("t10k-labels-idx1-ubyte.gz"))
          .build());

      // Train: softmax regression, evaluated on the test set after each epoch.
      TrainingJobSpec spec = JobSpec.newBuilder()
          .dataset(train.getName())
          .testDataset(test.getName())
          .softmax()
          .learningRate(0.1)
          .batchSize(256)
          .epochs(10)
          .build();
      TrainingJob job = client.jobs().create("softmax", spec, java.util.UUID.randomUUID().toString());

      // Watch: history, then live epochs, until the terminal state.
      try (JobWatch events = client.jobs().watch(job.getName())) {
        while (events.hasNext()) {
          TrainingJobEvent event = events.next();
          if (event.hasEpoch()) {
            System.out.printf("%nepoch %d: train loss %.4f, test accuracy %.4f",
                event.getEpoch().getEpoch(),
                event.getEpoch().getTrain().getLoss(),
                event.getEpoch().getEvaluation().getAccuracy());
          }
        }
      }
      TrainingJob done = client.jobs().awaitCompletion(job.getName(), Duration.ofMinutes(30));
      if (done.getState() != TrainingJob.State.SUCCEEDED) {
        throw TrainerException.fromStatus(done.getError());
      }

      // Predict: one image of 784 pixels in [0, 1] (all black here).
      List<Prediction> predictions = client.models().predict(done.getModel(), List.of(new float[784]));
      System.out.println("\npredicted class " + predictions.get(0).getPredictedLabel());

      // Or every example of a stored data set into a CSV, and the SavedModel as a zip.
      client.models().batchPredict(done.getModel(), test.getName(), Path.of("predictions.csv"));
      client.models().export(done.getModel(), Path.of("model.zip"));
    } catch (TrainerException e) {
      // One exception type: status code, ErrorInfo reason, BadRequest field violations.
      System.err.println(e.code() + " " + e.reason() + " " + e.fieldViolations());
    }
  }
}
