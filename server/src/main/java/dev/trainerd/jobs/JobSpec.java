package dev.trainerd.jobs;

import dev.trainerd.ml.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job trains: the data it reads (and how it is split) plus the engine's training spec.
 *
 * @param datasetId the training data set's id
 * @param split how examples are divided into training and evaluation data
 * @param training model, loss, initialiser, optimiser and loop settings
 * @param fitAlsoOnDatasetId an unlabelled data set whose rows also fit the preprocessing
 *     statistics (the book fits on train and test together)
 * @param warmStartModelId a model whose parameters initialise this one (the load initialiser);
 *     the runner resolves it when the job starts, so the spec stays small
 * @param onReplicaLoss what a cluster does with the job when the replica running it is lost
 */
public record JobSpec(
    String datasetId,
    SplitSpec split,
    TrainingSpec training,
    Optional<String> fitAlsoOnDatasetId,
    Optional<String> warmStartModelId,
    ReplicaLossPolicy onReplicaLoss) {

  public JobSpec {
    Objects.requireNonNull(datasetId, "datasetId");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(fitAlsoOnDatasetId, "fitAlsoOnDatasetId");
    Objects.requireNonNull(warmStartModelId, "warmStartModelId");
    Objects.requireNonNull(onReplicaLoss, "onReplicaLoss");
  }

  /** A spec that re-queues the job when its replica is lost (the default). */
  public JobSpec(
      String datasetId,
      SplitSpec split,
      TrainingSpec training,
      Optional<String> fitAlsoOnDatasetId,
      Optional<String> warmStartModelId) {
    this(datasetId, split, training, fitAlsoOnDatasetId, warmStartModelId, ReplicaLossPolicy.REQUEUE);
  }

  /** Whether only a replica with a GPU may train it. */
  public boolean needsGpu() {
    return training.device() == dev.trainerd.ml.Device.GPU;
  }

  /** Every data set the job reads. */
  public List<String> datasetIds() {
    List<String> ids = new ArrayList<>();
    ids.add(datasetId);
    if (split instanceof SplitSpec.TestDataset test) {
      ids.add(test.datasetId());
    }
    fitAlsoOnDatasetId.ifPresent(ids::add);
    return ids;
  }

  /** Epochs the whole job runs: each fold plus the final model for K-fold, else the epochs. */
  public int totalEpochs() {
    int epochs = training.epochs();
    return split instanceof SplitSpec.KFold k ? (k.folds() + 1) * epochs : epochs;
  }
}
