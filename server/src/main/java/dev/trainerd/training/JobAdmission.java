package dev.trainerd.training;

import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.LabelKind;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.JobShape;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Trainer;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelService;
import dev.trainerd.store.DatasetStore;
import dev.trainerd.store.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a job spec against what is stored before the job is accepted, so a job that cannot run
 * is refused with a precise error instead of failing later: referenced data sets and models exist,
 * labels suit the loss, feature layouts agree.
 */
public final class JobAdmission {
  private final DatasetStore datasets;
  private final ModelService models;
  private final long maxJobWork;
  private final long maxJobMemory;
  private final Trainer trainer;
  private final DevicePlacement placement;

  /**
   * Where a job's device can be found: throws FAILED_PRECONDITION when no server that could train
   * the job has the device it asks for.
   */
  @FunctionalInterface
  public interface DevicePlacement {
    /** Throws {@link TrainerdException.FailedPrecondition} when {@code requested} is nowhere. */
    void require(Device requested);
  }

  /**
   * @param maxJobWork most example visits (epochs x examples, all folds) one job may ask for
   * @param maxJobMemory most bytes outside the Java heap one job may need by the trainer's
   *     estimate ({@link Trainer#memoryEstimate})
   * @param trainer estimates jobs' memory and answers whether the requested device exists here
   */
  public JobAdmission(DatasetStore datasets, ModelService models, long maxJobWork, long maxJobMemory, Trainer trainer) {
    this(datasets, models, maxJobWork, maxJobMemory, trainer, trainer::resolveDevice);
  }

  /**
   * @param maxJobWork most example visits (epochs x examples, all folds) one job may ask for
   * @param maxJobMemory most bytes outside the Java heap one job may need by the trainer's estimate
   * @param trainer estimates jobs' memory
   * @param placement answers whether the requested device exists where the job can run (in a
   *     cluster: on any live replica)
   */
  public JobAdmission(
      DatasetStore datasets, ModelService models, long maxJobWork, long maxJobMemory, Trainer trainer,
      DevicePlacement placement) {
    this.datasets = datasets;
    this.models = models;
    this.maxJobWork = maxJobWork;
    this.maxJobMemory = maxJobMemory;
    this.trainer = trainer;
    this.placement = placement;
  }

  /**
   * The loss for a spec that names none: softmax cross-entropy for class labels, squared loss
   * otherwise (also when the data set cannot be found; {@link #check} reports that).
   */
  public Loss defaultLoss(String datasetName) {
    String id = datasetName.startsWith("datasets/") ? datasetName.substring("datasets/".length()) : "";
    if (!Ids.isValid(id)) {
      return new Loss.Squared();
    }
    return datasets
        .find(id)
        .filter(m -> m.summary().labelKind() == LabelKind.CLASSIFICATION)
        .<Loss>map(m -> new Loss.SoftmaxCrossEntropy(true))
        .orElseGet(Loss.Squared::new);
  }

  /** Throws NOT_FOUND or INVALID_ARGUMENT when the job could not run. */
  public void check(JobSpec spec) {
    DatasetMetadata train = require(spec.datasetId(), "spec.dataset");
    List<FieldViolation> violations = new ArrayList<>();
    LabelKind labels = train.summary().labelKind();
    if (labels == LabelKind.NONE) {
      violations.add(new FieldViolation("spec.dataset", "has no labels to train on; upload it with a label column"));
    }
    Loss.LabelKind needs = spec.training().loss().labelKind();
    if (needs == Loss.LabelKind.MULTI_CLASS && labels == LabelKind.REGRESSION) {
      violations.add(
          new FieldViolation(
              "spec.loss",
              spec.training().loss().kind() + " needs class labels but " + train.name() + " has real-valued targets"));
    }
    if (needs == Loss.LabelKind.REGRESSION && labels == LabelKind.CLASSIFICATION) {
      violations.add(
          new FieldViolation(
              "spec.loss",
              spec.training().loss().kind() + " needs real-valued targets but " + train.name() + " has class labels"));
    }
    if (needs == Loss.LabelKind.BINARY
        && labels == LabelKind.CLASSIFICATION
        && train.summary().classNames().size() != 2) {
      violations.add(
          new FieldViolation(
              "spec.loss",
              spec.training().loss().kind() + " needs two classes but " + train.name() + " has "
                  + train.summary().classNames().size()));
    }
    if (spec.training().model() instanceof ModelSpec.Polynomial && train.summary().featureCount() != 1) {
      violations.add(
          new FieldViolation(
              "spec.model.polynomial",
              "expands a single input feature but " + train.name() + " has " + train.summary().featureCount()));
    }
    long evaluationRows = 0;
    if (spec.split() instanceof SplitSpec.TestDataset t) {
      DatasetMetadata test = require(t.datasetId(), "spec.split.test_dataset");
      evaluationRows = test.summary().rows();
      if (test.summary().labelKind() != labels) {
        violations.add(
            new FieldViolation(
                "spec.split.test_dataset",
                "must be labelled like the training data (" + labels + "), is " + test.summary().labelKind()));
      }
      if (test.format() != train.format()) {
        violations.add(
            new FieldViolation("spec.split.test_dataset", "must have the training data's format " + train.format()));
      } else if (test.summary().schema().isEmpty() && test.summary().featureCount() != train.summary().featureCount()) {
        violations.add(
            new FieldViolation(
                "spec.split.test_dataset",
                "has " + test.summary().featureCount() + " features; the training data has "
                    + train.summary().featureCount()));
      }
    }
    if (spec.split() instanceof SplitSpec.KFold k && k.folds() > train.summary().rows()) {
      violations.add(
          new FieldViolation(
              "spec.split.k_fold.folds",
              "must not exceed the data set's " + train.summary().rows() + " examples, was " + k.folds()));
    }
    if (spec.split() instanceof SplitSpec.Holdout && train.summary().rows() < 2) {
      violations.add(new FieldViolation("spec.split.holdout_fraction", "needs at least 2 examples"));
    }
    Optional<String> fitAlso = spec.fitAlsoOnDatasetId();
    if (fitAlso.isPresent()) {
      require(fitAlso.get(), "spec.preprocessing.fit_also_on_dataset");
    }
    if (spec.warmStartModelId().isPresent()) {
      ModelRecord source = models.get(spec.warmStartModelId().get());
      if (!source.trained().spec().model().equals(spec.training().model())) {
        violations.add(
            new FieldViolation(
                "spec.initializer.load.model",
                "was trained with a different model architecture; warm starts need the same layers"));
      }
    }
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    // A job asking for a GPU no server has is refused now, not after it was queued.
    placement.require(spec.training().device());
    long work = (long) spec.totalEpochs() * train.summary().rows();
    if (work > maxJobWork) {
      throw new TrainerdException.ResourceExhausted(
          "JOB_TOO_LARGE",
          "the job would visit " + work + " examples (epochs x examples); this server allows " + maxJobWork);
    }
    long memory = trainer.memoryEstimate(spec.training(), shape(spec, train, evaluationRows));
    if (memory > maxJobMemory) {
      throw new TrainerdException.ResourceExhausted(
          "JOB_MEMORY",
          "the job would need about " + gib(memory) + " outside the Java heap (data, parameters with their optimiser"
              + " state, activations); this server allows " + gib(maxJobMemory) + " per job: use a smaller model, batch"
              + " or fewer folds, or raise --max-job-memory");
    }
  }

  /**
   * The job's sizes as the data sets' summaries give them (before the job's own preprocessing);
   * {@code evaluationRows} from the test data set {@link #check} has already read.
   */
  private static JobShape shape(JobSpec spec, DatasetMetadata train, long evaluationRows) {
    int outputs =
        spec.training().outputCount(
            train.summary().labelKind() == LabelKind.CLASSIFICATION ? train.summary().classNames().size() : 0);
    int folds = spec.split() instanceof SplitSpec.KFold k ? k.folds() : 0;
    return new JobShape(
        Math.max(1, train.summary().featureCount()), outputs, train.summary().rows(), evaluationRows, folds);
  }

  private static String gib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }

  private DatasetMetadata require(String id, String field) {
    return datasets
        .find(id)
        .orElseThrow(
            () -> new TrainerdException.NotFound("DATASET_NOT_FOUND", field + ": datasets/" + id + " does not exist"));
  }
}
