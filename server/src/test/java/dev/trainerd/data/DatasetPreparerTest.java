package dev.trainerd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.prep.FitScope;
import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatasetPreparerTest {

  private final CsvParser csv = new CsvParser();
  private final DatasetPreparer preparer = new DatasetPreparer();

  private LoadedDataset tabular(String content, String label, String id) {
    return new LoadedDataset.Tabular(csv.parseString("t.csv", content, DatasetOptions.csv(label, id)));
  }

  @Test
  void housePricesPreparedAsTheBookDoes() {
    LoadedDataset train =
        new LoadedDataset.Tabular(
            csv.parseTable(
                "train.csv",
                () -> CsvParser.utf8Reader(SharedData.housePrices("train.csv")),
                DatasetOptions.csv("SalePrice", "Id")));
    LoadedDataset test =
        new LoadedDataset.Tabular(
            csv.parseTable(
                "test.csv",
                () -> CsvParser.utf8Reader(SharedData.housePrices("test.csv")),
                DatasetOptions.csv("", "Id")));
    PreparedData data = preparer.prepare(train, test, PreprocessingOptions.BOOK_HOUSE_PRICES);
    assertThat(data.train().count()).isEqualTo(1460);
    assertThat(data.train().featureCount()).isEqualTo(331);
    assertThat(((Examples.Labels.Regression) data.train().labels()).values()[0]).isEqualTo(208500f);
    Examples testExamples = data.test().orElseThrow();
    assertThat(testExamples.count()).isEqualTo(1459);
    assertThat(testExamples.featureCount()).isEqualTo(331);
    assertThat(testExamples.labels()).isInstanceOf(Examples.Labels.None.class);
    assertThat(data.featureNames()).hasSize(331);
    assertThat(data.labelKind()).isEqualTo(LabelKind.REGRESSION);
    assertThat(data.idColumn()).isEqualTo("Id");
    assertThat(data.labelColumn()).isEqualTo("SalePrice");
    assertThat(data.testIds()).hasSize(1459).startsWith("1461");
    assertThat(data.preprocessor().orElseThrow().featureCount()).isEqualTo(331);

    // Fitted on train only, the statistics differ (the test rows still get 331 features, as
    // every category of test.csv also occurs in train.csv).
    PreparedData trainOnly = preparer.prepare(train, test, PreprocessingOptions.DEFAULTS);
    assertThat(trainOnly.preprocessor().orElseThrow().numeric().get(0).mean())
        .isNotEqualTo(data.preprocessor().orElseThrow().numeric().get(0).mean());
    assertThat(trainOnly.test().orElseThrow().featureCount()).isEqualTo(331);

    // Fitted on both but not asked for test examples (a cross-validated job): the same fit and
    // training examples, and no test examples.
    PreparedData fitOnly = preparer.prepare(train, test, PreprocessingOptions.BOOK_HOUSE_PRICES, null, false);
    assertThat(fitOnly.test()).isEmpty();
    assertThat(fitOnly.testIds()).isEmpty();
    assertThat(fitOnly.featureNames()).isEqualTo(data.featureNames());
    assertThat(fitOnly.preprocessor().orElseThrow().numeric())
        .isEqualTo(data.preprocessor().orElseThrow().numeric());
    assertThat(fitOnly.train().features()).isEqualTo(data.train().features());
  }

  @Test
  void fitRowsKeepValidationRowsOutOfTheStatistics() {
    LoadedDataset train = tabular("x,y\n1,0\n3,0\n100,0\n", "y", "");
    PreparedData data =
        preparer.prepare(train, null, PreprocessingOptions.DEFAULTS, new int[] {0, 1}, true);
    // mean 2 and std sqrt(2) from rows 0 and 1 only; row 2 is transformed with them.
    float s = (float) Math.sqrt(2);
    assertThat(data.train().features()).containsExactly(new float[] {-1 / s, 1 / s, 98 / s}, within(1e-6f));
    assertThat(data.test()).isEmpty();
  }

  @Test
  void testClassesAreAlignedWithTrainingClasses() {
    LoadedDataset train = tabular("x,animal\n1,dog\n2,cat\n3,bird\n", "animal", "");
    LoadedDataset test = tabular("x,animal\n1,dog\n2,cat\n", "animal", "");
    PreparedData data = preparer.prepare(train, test, PreprocessingOptions.DEFAULTS);
    assertThat(data.classNames()).containsExactly("bird", "cat", "dog");
    Examples.Labels.Classes testLabels = (Examples.Labels.Classes) data.test().orElseThrow().labels();
    assertThat(testLabels.values()).containsExactly(2, 1); // dog, cat in the training order
    assertThat(testLabels.classCount()).isEqualTo(3);

    LoadedDataset unknown = tabular("x,animal\n1,dog\n2,cow\n", "animal", "");
    assertThatThrownBy(() -> preparer.prepare(train, unknown, PreprocessingOptions.DEFAULTS))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage("test_dataset: has class 'cow' that the training data does not have [bird, cat, dog]");
  }

  @Test
  void mismatchesAreRejected() {
    LoadedDataset train = tabular("x,y\n1,2\n", "y", "");
    assertThatThrownBy(
            () -> preparer.prepare(tabular("x,y\n1,2\n", "", ""), null, PreprocessingOptions.DEFAULTS))
        .hasMessage("dataset: has no labels; upload the training data with a label_column");
    assertThatThrownBy(
            () ->
                preparer.prepare(
                    train, tabular("z\n1\n", "", ""), PreprocessingOptions.BOOK_HOUSE_PRICES))
        .hasMessageStartingWith("test_dataset: fit table 2 has other feature columns");
    assertThatThrownBy(
            () -> preparer.prepare(train, tabular("x,y\n1,a\n2,b\n", "y", ""), PreprocessingOptions.DEFAULTS))
        .hasMessage("test_dataset: has CLASSIFICATION labels but the training dataset has REGRESSION");
    LoadedDataset dense =
        new LoadedDataset.Dense(
            new Examples(1, 1, new float[] {1}, new Examples.Labels.Regression(new float[] {2})), List.of());
    assertThatThrownBy(() -> preparer.prepare(train, dense, PreprocessingOptions.DEFAULTS))
        .hasMessage("test_dataset: is dense (IDX or synthetic) but the training dataset is not");
  }

  @Test
  void denseDataPassesThroughAndIsCheckedForWidth() {
    Examples examples =
        new Examples(2, 2, new float[] {1, 2, 3, 4}, new Examples.Labels.Classes(new int[] {0, 1}, 2));
    LoadedDataset train = new LoadedDataset.Dense(examples, List.of("0", "1"));
    PreparedData data = preparer.prepare(train, train, new PreprocessingOptions(true, true, FitScope.TRAINING_AND_TEST));
    assertThat(data.train()).isSameAs(examples);
    assertThat(data.preprocessor()).isEmpty();
    assertThat(data.featureNames()).containsExactly("x0", "x1");
    assertThat(preparer.examplesFor(train, Optional.empty(), 2, List.of("0", "1"))).isSameAs(examples);
    assertThatThrownBy(() -> preparer.examplesFor(train, Optional.empty(), 3, List.of("0", "1")))
        .hasMessage("dataset: has 2 features per example but the model takes 3");
  }

  @Test
  void examplesForPredictionUseTheStoredPreprocessor() {
    LoadedDataset train = tabular("x,c,y\n1,a,1\n3,b,2\n", "y", "");
    PreparedData data = preparer.prepare(train, null, PreprocessingOptions.DEFAULTS);
    LoadedDataset later = tabular("Id,x,c\n9,5,b\n", "", "Id");
    Examples e = preparer.examplesFor(later, data.preprocessor(), 4, List.of());
    float s = (float) Math.sqrt(2);
    assertThat(e.features()).containsExactly(new float[] {3 / s, 0, 1, 0}, within(1e-6f));
    assertThat(e.labels()).isInstanceOf(Examples.Labels.None.class);
  }
}
