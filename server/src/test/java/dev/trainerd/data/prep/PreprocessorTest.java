package dev.trainerd.data.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.errors.TrainerdException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static final String CSV = "x,c,k,y\n1,b,5,0\n2,a,5,1\n3,NA,5,2\nNA,b,5,3\n";

  private static Table table(String csv) {
    return new CsvParser().parseString("t.csv", csv, DatasetOptions.csv("y", ""));
  }

  @Test
  void standardisesWithSampleStdAndOneHotsWithMissingIndicator() {
    Preprocessor p = Preprocessor.fit(List.of(table(CSV)), PreprocessingOptions.DEFAULTS);
    // mean(1,2,3) = 2; sample std = sqrt((1 + 0 + 1) / 2) = 1; k is constant, so std 0.
    assertThat(p.numeric())
        .containsExactly(
            new Preprocessor.NumericStats("x", 2, 1), new Preprocessor.NumericStats("k", 5, 0));
    assertThat(p.featureNames()).containsExactly("x", "k", "c_a", "c_b", "c_nan");
    assertThat(p.transform(table(CSV)))
        .containsExactly(
            -1, 0, 0, 1, 0,
            0, 0, 1, 0, 0,
            1, 0, 0, 0, 1,
            0, 0, 0, 1, 0);
  }

  @Test
  void optionsTurnOffStandardisingAndTheMissingIndicator() {
    Preprocessor p =
        Preprocessor.fit(
            List.of(table(CSV)), new PreprocessingOptions(false, false, FitScope.TRAINING));
    assertThat(p.featureNames()).containsExactly("x", "k", "c_a", "c_b");
    assertThat(p.transform(table(CSV)))
        .containsExactly(
            1, 5, 0, 1,
            2, 5, 1, 0,
            3, 5, 0, 0,
            0, 5, 0, 1);
  }

  @Test
  void rawRowsUseTheFittedStatistics() {
    Preprocessor p = Preprocessor.fit(List.of(table(CSV)), PreprocessingOptions.DEFAULTS);
    Map<String, String> row = new HashMap<>(Map.of("x", "4", "c", "z", "y", "9"));
    Map<String, String> missing = Map.of("x", " NA ", "k", "5");
    assertThat(p.transformRows(List.of(row, missing)))
        .containsExactly(
            2, 0, 0, 0, 0, // unseen category 'z': the whole block is 0; absent k is missing
            0, 0, 0, 0, 1);
    assertThatThrownBy(() -> p.transformRows(List.of(Map.of("x", "big"))))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage("rows[0].x: 'big' is not a number");
    assertThatThrownBy(() -> p.transformRows(List.of(Map.of(), Map.of("colour", "red"))))
        .hasMessage("rows[1]: unknown column 'colour'; the model reads 3 columns");
  }

  @Test
  void aColumnCategoricalInAnyFittedTableIsCategorical() {
    Table train = table("m,y\n1,0\n2,1\n");
    Table test = new CsvParser().parseString("u.csv", "m\n1\nx\n", DatasetOptions.csv("", ""));
    Preprocessor p = Preprocessor.fit(List.of(train, test), PreprocessingOptions.DEFAULTS);
    assertThat(p.featureNames()).containsExactly("m_1", "m_2", "m_x", "m_nan");
    assertThat(p.transform(train)).containsExactly(1, 0, 0, 0, 0, 1, 0, 0);
    assertThat(p.transformRows(List.of(Map.of("m", "2.0")))).containsExactly(0, 1, 0, 0);
  }

  @Test
  void tablesWithOtherColumnsAreRejected() {
    Preprocessor p = Preprocessor.fit(List.of(table(CSV)), PreprocessingOptions.DEFAULTS);
    Table other = new CsvParser().parseString("u.csv", "Id,x,c\n1,1,a\n", DatasetOptions.csv("", ""));
    assertThatThrownBy(() -> p.transform(other))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage(
            "the dataset has other feature columns than the training data: lacks k; has extra Id"
                + " (set id_column or label_column for columns that are not features)");
    Table text = table("x,c,k,y\nbig,a,5,0\n");
    assertThatThrownBy(() -> p.transform(text))
        .hasMessageContaining("data row 1, column 'x': 'big' is not a number");
  }

  @Test
  void jsonRoundTripKeepsEveryStatistic() {
    Preprocessor p = Preprocessor.fit(List.of(table(CSV)), PreprocessingOptions.DEFAULTS);
    Preprocessor back = Preprocessor.fromJson(p.toJson());
    assertThat(back).isEqualTo(p);
    assertThat(back.transform(table(CSV))).containsExactly(p.transform(table(CSV)));
  }
}
