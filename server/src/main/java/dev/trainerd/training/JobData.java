package dev.trainerd.training;

import dev.trainerd.data.DatasetPreparer;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.PreparedData;
import dev.trainerd.data.prep.FitScope;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Splits;
import dev.trainerd.store.DatasetStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a job's data sets and prepares them with {@link DatasetPreparer}: statistics are fitted
 * on the training rows (only the training part of a holdout split, so validation rows do not
 * leak), plus the rows of {@code fit_also_on_dataset} when the job names one, as the book fits on
 * the Kaggle train and test sets together.
 */
public final class JobData {
  private final DatasetStore datasets;
  private final DatasetPreparer preparer = new DatasetPreparer();

  public JobData(DatasetStore datasets) {
    this.datasets = datasets;
  }

  /**
   * A job's prepared data.
   *
   * @param data every training example, the fitted preprocessing and the names a model keeps
   * @param evaluation the examples to evaluate on after each epoch (test data set or holdout)
   * @param holdout the holdout split of {@code data.train()}, for holdout jobs
   */
  public record JobInputs(PreparedData data, Optional<Examples> evaluation, Optional<Splits.Split> holdout) {}

  /** The content hash recorded in a model's provenance. */
  public String sha256(String datasetId) {
    return datasets.get(datasetId).sha256();
  }

  /** Loads and prepares the data sets of {@code spec}. */
  public JobInputs prepare(JobSpec spec) {
    LoadedDataset train = datasets.load(spec.datasetId());
    Optional<String> testId =
        spec.split() instanceof SplitSpec.TestDataset t ? Optional.of(t.datasetId()) : Optional.empty();
    Optional<String> fitAlso = spec.fitAlsoOnDatasetId();
    if (testId.isPresent() && fitAlso.isPresent() && !testId.equals(fitAlso)) {
      throw TrainerdException.InvalidArgument.of(
          "spec.preprocessing.fit_also_on_dataset",
          "must name the test data set when the split uses one (or be left empty)");
    }
    Optional<String> secondId = testId.isPresent() ? testId : fitAlso;
    LoadedDataset second = secondId.map(datasets::load).orElse(null);
    PreprocessingOptions options =
        new PreprocessingOptions(
            PreprocessingOptions.DEFAULTS.standardizeNumeric(),
            PreprocessingOptions.DEFAULTS.missingIndicator(),
            fitAlso.isPresent() ? FitScope.TRAINING_AND_TEST : FitScope.TRAINING);
    Optional<Splits.Split> holdout = Optional.empty();
    if (spec.split() instanceof SplitSpec.Holdout h) {
      holdout = Optional.of(Splits.holdout(train.rowCount(), h.fraction(), spec.training().seed()));
    }
    PreparedData data;
    try {
      // A data set named only to fit on is not turned into examples: nothing evaluates on it.
      data =
          preparer.prepare(
              train, second, options, holdout.map(Splits.Split::train).orElse(null), testId.isPresent());
    } catch (TrainerdException.InvalidArgument e) {
      throw reroot(e, testId.isPresent() ? "spec.split.test_dataset" : "spec.preprocessing.fit_also_on_dataset");
    }
    Optional<Examples> evaluation =
        holdout.isPresent()
            ? Optional.of(data.train().subset(holdout.get().validation()))
            : testId.isPresent() ? data.test() : Optional.empty();
    return new JobInputs(data, evaluation, holdout);
  }

  /** The preparer names fields {@code dataset} and {@code test_dataset}; the job spec nests them. */
  private static TrainerdException.InvalidArgument reroot(TrainerdException.InvalidArgument e, String secondField) {
    List<FieldViolation> out = new ArrayList<>();
    for (FieldViolation v : e.violations()) {
      String field =
          v.field().startsWith("test_dataset")
              ? secondField + v.field().substring("test_dataset".length())
              : v.field().startsWith("dataset") ? "spec." + v.field() : v.field();
      out.add(new FieldViolation(field, v.description()));
    }
    return TrainerdException.InvalidArgument.of(out);
  }
}
