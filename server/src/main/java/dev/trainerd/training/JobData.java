package dev.trainerd.training;

import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.Table;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.Examples;
import dev.trainerd.store.DatasetStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a job's data sets and turns them into examples. Tabular data is preprocessed with
 * statistics fitted on the training rows (plus the rows of {@code fit_also_on_dataset}, as the
 * book does with the Kaggle test set); the evaluation data set gets the same transform.
 */
public final class JobData {
  private final DatasetStore datasets;

  public JobData(DatasetStore datasets) {
    this.datasets = datasets;
  }

  /** The content hash recorded in a model's provenance. */
  public String sha256(String datasetId) {
    return datasets.get(datasetId).sha256();
  }

  /** The job's examples and what a model needs to read raw rows later. */
  public PreparedData prepare(JobSpec spec) {
    LoadedDataset train = datasets.load(spec.datasetId());
    Optional<LoadedDataset> test =
        spec.split() instanceof SplitSpec.TestDataset t
            ? Optional.of(datasets.load(t.datasetId()))
            : Optional.empty();
    if (train instanceof LoadedDataset.Tabular tab) {
      Table table = tab.table();
      List<Table> fitOn = new ArrayList<>();
      fitOn.add(table);
      if (spec.fitAlsoOnDatasetId().isPresent()) {
        fitOn.add(tabular(datasets.load(spec.fitAlsoOnDatasetId().get()), "spec.preprocessing.fit_also_on_dataset"));
      }
      DatasetMetadata meta = datasets.get(spec.datasetId());
      Preprocessor pre = Preprocessor.fit(fitOn, PreprocessingOptions.DEFAULTS, meta.options().missingTokens());
      Optional<Examples> evaluation =
          test.map(t -> examples(pre, tabular(t, "spec.split.test_dataset")));
      return new PreparedData(
          examples(pre, table),
          evaluation,
          Optional.of(pre.toJson()),
          pre.featureNames(),
          table.classNames(),
          table.idColumn(),
          table.labelColumn());
    }
    LoadedDataset.Dense dense = (LoadedDataset.Dense) train;
    if (spec.fitAlsoOnDatasetId().isPresent()) {
      throw TrainerdException.InvalidArgument.of(
          "spec.preprocessing.fit_also_on_dataset", "applies to tabular (CSV) data sets only");
    }
    Optional<Examples> evaluation =
        test.map(
            t -> {
              if (!(t instanceof LoadedDataset.Dense d)) {
                throw TrainerdException.InvalidArgument.of(
                    "spec.split.test_dataset", "must be of the same kind as the training data set (not tabular)");
              }
              return d.examples();
            });
    return new PreparedData(dense.examples(), evaluation, Optional.empty(), List.of(), dense.classNames(), "", "");
  }

  private static Table tabular(LoadedDataset loaded, String field) {
    if (loaded instanceof LoadedDataset.Tabular t) {
      return t.table();
    }
    throw TrainerdException.InvalidArgument.of(field, "must be a tabular (CSV) data set like the training data");
  }

  private static Examples examples(Preprocessor pre, Table table) {
    return new Examples(table.rowCount(), pre.featureCount(), pre.transform(table), table.labels());
  }
}
