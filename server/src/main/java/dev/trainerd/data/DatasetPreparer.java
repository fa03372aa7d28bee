package dev.trainerd.data;

import dev.trainerd.data.prep.FitScope;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns loaded datasets into the dense {@link Examples} a trainer consumes: fits the
 * preprocessing on the right rows, applies it to the training and test data, and aligns the test
 * dataset's classes with the training dataset's. Splitting (holdout, K folds) is done afterwards
 * on the prepared training examples by index ({@code dev.trainerd.ml.Splits}).
 *
 * <p>Violations name the fields {@code dataset} (the training dataset) and {@code test_dataset}.
 */
public final class DatasetPreparer {

  /**
   * Prepares a training dataset and an optional test dataset, fitting on every training row (and
   * the test rows when the options say so).
   *
   * @param training a labelled dataset
   * @param test a labelled or unlabelled dataset of the same kind, or {@code null}
   */
  public PreparedData prepare(
      LoadedDataset training, LoadedDataset test, PreprocessingOptions options) {
    return prepare(training, test, options, null, true);
  }

  /**
   * As {@link #prepare(LoadedDataset, LoadedDataset, PreprocessingOptions)}, fitting the
   * statistics only on the training rows {@code fitRows} (the training part of a holdout split),
   * so validation rows do not leak into them; the returned training examples still hold every
   * row. With {@code testExamples} false a tabular test dataset only joins the fit (the book's
   * statistics over training and test features, for a job that cross-validates) and is not
   * transformed into examples nobody reads: {@link PreparedData#test} is then empty.
   *
   * @param fitRows training row indices to fit on; {@code null} for all of them
   */
  public PreparedData prepare(
      LoadedDataset training,
      LoadedDataset test,
      PreprocessingOptions options,
      int[] fitRows,
      boolean testExamples) {
    if (training.labelKind() == LabelKind.NONE) {
      throw TrainerdException.InvalidArgument.of(
          "dataset", "has no labels; upload the training data with a label_column");
    }
    if (test != null && test.getClass() != training.getClass()) {
      throw TrainerdException.InvalidArgument.of(
          "test_dataset",
          "is "
              + (test instanceof LoadedDataset.Tabular ? "tabular (CSV)" : "dense (IDX or synthetic)")
              + " but the training dataset is not");
    }
    if (test != null
        && test.labelKind() != LabelKind.NONE
        && test.labelKind() != training.labelKind()) {
      throw TrainerdException.InvalidArgument.of(
          "test_dataset",
          "has " + test.labelKind() + " labels but the training dataset has " + training.labelKind());
    }
    return training instanceof LoadedDataset.Tabular tabular
        ? prepareTables(
            tabular.table(), test == null ? null : ((LoadedDataset.Tabular) test).table(), options, fitRows, testExamples)
        : prepareDense((LoadedDataset.Dense) training, (LoadedDataset.Dense) test);
  }

  /**
   * Features of a dataset for prediction or evaluation with a trained model: the stored
   * preprocessor for tabular data (empty for dense data), labels kept and classes aligned with
   * the model's class names.
   *
   * @param featureCount the model's input width, checked for dense data
   * @param classNames the model's class names (empty for regression)
   */
  public Examples examplesFor(
      LoadedDataset data, Optional<Preprocessor> preprocessor, int featureCount, List<String> classNames) {
    if (data instanceof LoadedDataset.Tabular tabular) {
      Preprocessor p =
          preprocessor.orElseThrow(
              () ->
                  TrainerdException.InvalidArgument.of(
                      "dataset", "is tabular (CSV) but the model was trained on dense data"));
      Table table = tabular.table();
      Examples.Labels labels = alignLabels(table.labels(), table.classNames(), classNames, "dataset");
      return new Examples(table.rowCount(), p.featureCount(), p.transform(table), labels);
    }
    if (preprocessor.isPresent()) {
      throw TrainerdException.InvalidArgument.of(
          "dataset", "is dense (IDX or synthetic) but the model was trained on tabular data");
    }
    Examples examples = ((LoadedDataset.Dense) data).examples();
    if (examples.featureCount() != featureCount) {
      throw TrainerdException.InvalidArgument.of(
          "dataset",
          "has " + examples.featureCount() + " features per example but the model takes " + featureCount);
    }
    Examples.Labels labels =
        alignLabels(examples.labels(), data.classNames(), classNames, "dataset");
    return labels == examples.labels() ? examples : examples.withLabels(labels);
  }

  private PreparedData prepareTables(
      Table train, Table test, PreprocessingOptions options, int[] fitRows, boolean testExamples) {
    List<Table> fitOn = new ArrayList<>();
    fitOn.add(fitRows == null ? train : train.rows(fitRows));
    if (test != null && options.fitScope() == FitScope.TRAINING_AND_TEST) {
      fitOn.add(test);
    }
    Preprocessor preprocessor;
    try {
      preprocessor = Preprocessor.fit(fitOn, options);
    } catch (TrainerdException.InvalidArgument e) {
      throw TrainerdException.InvalidArgument.of("test_dataset", e.getMessage());
    }
    int width = preprocessor.featureCount();
    Examples trainExamples =
        new Examples(train.rowCount(), width, preprocessor.transform(train), train.labels());
    Optional<Examples> testSet = Optional.empty();
    if (test != null && testExamples) {
      float[] features;
      try {
        features = preprocessor.transform(test);
      } catch (TrainerdException.InvalidArgument e) {
        throw TrainerdException.InvalidArgument.of("test_dataset", e.getMessage());
      }
      Examples.Labels labels =
          alignLabels(test.labels(), test.classNames(), train.classNames(), "test_dataset");
      testSet = Optional.of(new Examples(test.rowCount(), width, features, labels));
    }
    return new PreparedData(
        trainExamples,
        Optional.empty(),
        testSet,
        Optional.of(preprocessor),
        preprocessor.featureNames(),
        train.labelKind(),
        train.classNames(),
        train.labelColumn(),
        train.idColumn(),
        train.ids(),
        testSet.isEmpty() ? List.of() : test.ids());
  }

  private PreparedData prepareDense(LoadedDataset.Dense train, LoadedDataset.Dense test) {
    Examples examples = train.examples();
    Optional<Examples> testExamples = Optional.empty();
    if (test != null) {
      Examples t = test.examples();
      if (t.featureCount() != examples.featureCount()) {
        throw TrainerdException.InvalidArgument.of(
            "test_dataset",
            "has " + t.featureCount() + " features per example but the training dataset has "
                + examples.featureCount());
      }
      Examples.Labels labels =
          alignLabels(t.labels(), test.classNames(), train.classNames(), "test_dataset");
      testExamples =
          Optional.of(
              labels == t.labels() ? t : t.withLabels(labels));
    }
    List<String> names = new ArrayList<>(examples.featureCount());
    for (int j = 0; j < examples.featureCount(); j++) {
      names.add("x" + j);
    }
    return new PreparedData(
        examples,
        train.augmentation(),
        testExamples,
        Optional.empty(),
        names,
        train.labelKind(),
        train.classNames(),
        "",
        "",
        List.of(),
        List.of());
  }

  /**
   * Re-indexes class labels named by {@code from} into the order of {@code to}; other labels pass
   * unchanged.
   */
  static Examples.Labels alignLabels(
      Examples.Labels labels, List<String> from, List<String> to, String field) {
    if (!(labels instanceof Examples.Labels.Classes classes) || from.equals(to)) {
      return labels;
    }
    Map<String, Integer> target = new HashMap<>();
    for (int k = 0; k < to.size(); k++) {
      target.put(to.get(k), k);
    }
    int[] mapping = new int[from.size()];
    for (int k = 0; k < from.size(); k++) {
      Integer index = target.get(from.get(k));
      if (index == null) {
        throw TrainerdException.InvalidArgument.of(
            field, "has class '" + from.get(k) + "' that the training data does not have " + to);
      }
      mapping[k] = index;
    }
    int[] values = new int[classes.values().length];
    for (int i = 0; i < values.length; i++) {
      values[i] = mapping[classes.values()[i]];
    }
    return new Examples.Labels.Classes(values, to.size());
  }
}
