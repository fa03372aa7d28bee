package dev.trainerd.data.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.ColumnType;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.FeatureColumn;
import dev.trainerd.data.LabelKind;
import dev.trainerd.data.SharedData;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HousePricesPreprocessingTest {

  static Table train;
  static Table test;

  @BeforeAll
  static void parse() {
    CsvParser parser = new CsvParser();
    train =
        parser.parseTable(
            "train.csv",
            () -> CsvParser.utf8Reader(SharedData.housePrices("train.csv")),
            DatasetOptions.csv("SalePrice", "Id"));
    test =
        parser.parseTable(
            "test.csv",
            () -> CsvParser.utf8Reader(SharedData.housePrices("test.csv")),
            DatasetOptions.csv("", "Id"));
  }

  @Test
  void trainHas1460RowsIdAsideAndRawSalePrices() {
    assertThat(train.rowCount()).isEqualTo(1460);
    assertThat(train.features()).hasSize(79); // 81 columns minus Id and SalePrice
    assertThat(train.ids()).hasSize(1460).startsWith("1", "2").endsWith("1460");
    assertThat(train.labelKind()).isEqualTo(LabelKind.REGRESSION);
    float[] prices = ((Examples.Labels.Regression) train.labels()).values();
    assertThat(prices[0]).isEqualTo(208500f);
    assertThat(train.feature("MSSubClass").orElseThrow().type()).isEqualTo(ColumnType.NUMERIC);
    assertThat(train.feature("MSZoning").orElseThrow().type()).isEqualTo(ColumnType.CATEGORICAL);
    assertThat(train.feature("LotFrontage").orElseThrow().missingCount()).isEqualTo(259);
  }

  @Test
  void testHas1459UnlabelledRows() {
    assertThat(test.rowCount()).isEqualTo(1459);
    assertThat(test.features()).hasSize(79);
    assertThat(test.labelKind()).isEqualTo(LabelKind.NONE);
    assertThat(test.ids()).startsWith("1461").endsWith("2919");
  }

  @Test
  void booksPipelineFittedOnTrainAndTestYields331Features() {
    Preprocessor p =
        Preprocessor.fit(List.of(train, test), PreprocessingOptions.BOOK_HOUSE_PRICES);
    assertThat(p.featureCount()).isEqualTo(331);
    assertThat(p.numeric()).hasSize(36);
    assertThat(p.categorical()).hasSize(43);
    List<String> names = p.featureNames();
    assertThat(names).hasSize(331).doesNotHaveDuplicates().doesNotContain("Id", "SalePrice");
    assertThat(names.get(0)).isEqualTo("MSSubClass");
    assertThat(names.get(36)).isEqualTo("MSZoning_C (all)");
    assertThat(names).contains("MSZoning_nan", "Street_Grvl", "Street_Pave", "Street_nan");

    float[] trainFeatures = p.transform(train);
    float[] testFeatures = p.transform(test);
    int width = 331;
    // Standardised numeric columns: mean ~0 and sample std ~1 over the fitted (non-missing) rows.
    for (int j = 0; j < p.numeric().size(); j++) {
      String name = p.numeric().get(j).name();
      double[] raw = concat(numeric(train, name), numeric(test, name));
      double sum = 0;
      int n = 0;
      for (int i = 0; i < raw.length; i++) {
        if (!Double.isNaN(raw[i])) {
          sum += value(trainFeatures, testFeatures, i, j, width);
          n++;
        }
      }
      double mean = sum / n;
      double squares = 0;
      for (int i = 0; i < raw.length; i++) {
        if (!Double.isNaN(raw[i])) {
          double d = value(trainFeatures, testFeatures, i, j, width) - mean;
          squares += d * d;
        } else {
          // Missing numbers are 0 after standardising.
          assertThat(value(trainFeatures, testFeatures, i, j, width)).isZero();
        }
      }
      assertThat(mean).as(name).isCloseTo(0, within(1e-5));
      assertThat(Math.sqrt(squares / (n - 1))).as(name).isCloseTo(1, within(1e-5));
    }
    // LotFrontage row 8 (Id 8) is NA in train.csv.
    int lotFrontage = names.indexOf("LotFrontage");
    assertThat(trainFeatures[7 * width + lotFrontage]).isZero();
    // One-hot blocks: each row has exactly one 1 per categorical column.
    for (int i = 0; i < train.rowCount(); i++) {
      float ones = 0;
      for (int j = 36; j < width; j++) {
        ones += trainFeatures[i * width + j];
      }
      assertThat(ones).isEqualTo(43f);
    }
  }

  @Test
  void rawRowsTransformLikeTheTable() {
    Preprocessor p =
        Preprocessor.fit(List.of(train, test), PreprocessingOptions.BOOK_HOUSE_PRICES);
    float[] table = p.transform(test);
    Map<String, String> first = new java.util.HashMap<>();
    // The first data row of test.csv, by column.
    for (FeatureColumn c : test.features()) {
      if (c instanceof FeatureColumn.Numeric n) {
        double v = n.values()[0];
        first.put(c.name(), Double.isNaN(v) ? "NA" : Double.toString(v));
      } else {
        String v = ((FeatureColumn.Categorical) c).values()[0];
        first.put(c.name(), v == null ? "NA" : v);
      }
    }
    first.put("Id", "1461");
    float[] raw = p.transformRows(List.of(first));
    float[] expected = new float[331];
    System.arraycopy(table, 0, expected, 0, 331);
    assertThat(raw).containsExactly(expected);
    assertThat(Preprocessor.fromJson(p.toJson())).isEqualTo(p);
  }

  private static double value(float[] a, float[] b, int i, int j, int width) {
    int rowsA = a.length / width;
    return i < rowsA ? a[i * width + j] : b[(i - rowsA) * width + j];
  }

  private static double[] numeric(Table t, String name) {
    return ((FeatureColumn.Numeric) t.feature(name).orElseThrow()).values();
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = new double[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
