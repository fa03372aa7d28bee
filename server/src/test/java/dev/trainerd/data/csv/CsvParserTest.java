package dev.trainerd.data.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.data.ColumnType;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.FeatureColumn;
import dev.trainerd.data.LabelKind;
import dev.trainerd.data.Table;
import dev.trainerd.data.TaskKind;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvParserTest {

  private final CsvParser parser = new CsvParser();

  private Table parse(String csv, DatasetOptions options) {
    return parser.parseString("t.csv", csv, options);
  }

  private static String[] categorical(Table t, String name) {
    return ((FeatureColumn.Categorical) t.feature(name).orElseThrow()).values();
  }

  private static double[] numeric(Table t, String name) {
    return ((FeatureColumn.Numeric) t.feature(name).orElseThrow()).values();
  }

  @Test
  void quotedSeparatorsAndDoubledQuotesAreOneField() {
    Table t =
        parse(
            "name,note,y\n\"Smith, J\",\"said \"\"hi\"\"\",1.5\nLee,\"multi\nline\",2\n",
            DatasetOptions.csv("y", ""));
    assertThat(t.rowCount()).isEqualTo(2);
    assertThat(categorical(t, "name")).containsExactly("Smith, J", "Lee");
    assertThat(categorical(t, "note")).containsExactly("said \"hi\"", "multi\nline");
    assertThat(((Examples.Labels.Regression) t.labels()).values()).containsExactly(1.5f, 2f);
  }

  @Test
  void detectsSemicolonAndTab() {
    Table semicolon = parse("a;b;y\n1,5;x;3\n2;y;4\n", DatasetOptions.csv("y", ""));
    assertThat(semicolon.features()).extracting(FeatureColumn::name).containsExactly("a", "b");
    // "1,5" is not a number in this format, so column a is categorical.
    assertThat(categorical(semicolon, "a")).containsExactly("1,5", "2");

    Table tab = parse("a\tb\ty\n1\t\"p,q\"\t3\n2\tr\t4\n", DatasetOptions.csv("y", ""));
    assertThat(numeric(tab, "a")).containsExactly(1, 2);
    assertThat(categorical(tab, "b")).containsExactly("p,q", "r");
  }

  @Test
  void explicitSeparatorWinsOverDetection() {
    Table t = parse("a,b|y\n1|2\n", DatasetOptions.csv("y", "").withSeparator("|"));
    assertThat(t.features()).extracting(FeatureColumn::name).containsExactly("a,b");
  }

  @Test
  void defaultMissingTokensAreEmptyNaAndQuestionMark() {
    Table t = parse("a,b,y\n1,x,1\nNA,,2\n?,?,3\n 4 , z ,4\n", DatasetOptions.csv("y", ""));
    assertThat(numeric(t, "a")).containsExactly(1, Double.NaN, Double.NaN, 4);
    assertThat(categorical(t, "b")).containsExactly("x", null, null, "z");
    assertThat(t.feature("a").orElseThrow().missingCount()).isEqualTo(2);
  }

  @Test
  void missingTokensAreConfigurable() {
    Table t =
        parse(
            "a,b,y\n1,NA,1\n-,x,2\n",
            DatasetOptions.csv("y", "").withMissingTokens(List.of("-")));
    assertThat(numeric(t, "a")).containsExactly(1, Double.NaN);
    assertThat(categorical(t, "b")).containsExactly("NA", "x");
  }

  @Test
  void typesAreInferredAndOverridable() {
    String csv = "code,size,empty,y\n20,1e3,NA,1\n10,-.5,NA,2\n";
    Table inferred = parse(csv, DatasetOptions.csv("y", ""));
    assertThat(inferred.feature("code").orElseThrow().type()).isEqualTo(ColumnType.NUMERIC);
    assertThat(numeric(inferred, "size")).containsExactly(1000, -0.5);
    assertThat(inferred.feature("empty").orElseThrow().type()).isEqualTo(ColumnType.NUMERIC);

    Table overridden =
        parse(
            csv,
            DatasetOptions.csv("y", "").withTypeOverrides(Map.of("code", ColumnType.CATEGORICAL)));
    assertThat(categorical(overridden, "code")).containsExactly("20", "10");
    assertThat(((FeatureColumn.Categorical) overridden.feature("code").orElseThrow()).categories())
        .containsExactly("10", "20");
  }

  @Test
  void stringLabelsBecomeSortedClassIndices() {
    Table t = parse("x,animal\n1,dog\n2,cat\n3,bird\n4,dog\n", DatasetOptions.csv("animal", ""));
    assertThat(t.labelKind()).isEqualTo(LabelKind.CLASSIFICATION);
    assertThat(t.classNames()).containsExactly("bird", "cat", "dog");
    Examples.Labels.Classes classes = (Examples.Labels.Classes) t.labels();
    assertThat(classes.values()).containsExactly(2, 1, 0, 2);
    assertThat(classes.classCount()).isEqualTo(3);
  }

  @Test
  void numericLabelsAreRegressionUnlessToldClassification() {
    String csv = "x,y\n1,10\n2,2\n3,1\n";
    assertThat(parse(csv, DatasetOptions.csv("y", "")).labelKind()).isEqualTo(LabelKind.REGRESSION);
    Table t = parse(csv, DatasetOptions.csv("y", "").withTaskKind(TaskKind.CLASSIFICATION));
    assertThat(t.classNames()).containsExactly("1", "2", "10"); // numeric order
    assertThat(((Examples.Labels.Classes) t.labels()).values()).containsExactly(2, 1, 0);
  }

  @Test
  void idColumnIsKeptAsideAndUnlabelledTablesHaveNoLabels() {
    Table t = parse("\uFEFFId,x\n7,1\n8,2\n", DatasetOptions.csv("", "Id"));
    assertThat(t.ids()).containsExactly("7", "8");
    assertThat(t.features()).extracting(FeatureColumn::name).containsExactly("x");
    assertThat(t.labelKind()).isEqualTo(LabelKind.NONE);
    assertThat(t.idColumn()).isEqualTo("Id");
  }

  @Test
  void blankLinesAndCrlfAreTolerated() {
    Table t = parse("x,y\r\n1,2\r\n\r\n3,4\r\n", DatasetOptions.csv("y", ""));
    assertThat(numeric(t, "x")).containsExactly(1, 3);
  }

  // Errors: one fixture each, asserting the message names the row and column.

  private TrainerdException.InvalidArgument error(String csv, DatasetOptions options) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> parse(csv, options));
    assertThat(thrown).isInstanceOf(TrainerdException.InvalidArgument.class);
    return (TrainerdException.InvalidArgument) thrown;
  }

  @Test
  void raggedRow() {
    var e = error("a,b,y\n1,2,3\n1,2,3,4\n", DatasetOptions.csv("y", ""));
    assertThat(e).hasMessage("t.csv data row 2 has 4 fields but the header has 3");
    assertThat(e.reason()).isEqualTo("CSV_RAGGED_ROW");
    assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("files[t.csv]");
  }

  @Test
  void shortRow() {
    assertThat(error("a,b,y\n1,2\n", DatasetOptions.csv("y", "")))
        .hasMessage("t.csv data row 1 has 2 fields but the header has 3");
  }

  @Test
  void nonNumericRegressionTarget() {
    var e =
        error(
            "a,price\n1,100\n2,abc\n",
            DatasetOptions.csv("price", "").withTaskKind(TaskKind.REGRESSION));
    assertThat(e)
        .hasMessage(
            "t.csv data row 2, column 'price': 'abc' is not a number, and regression targets must be numbers");
  }

  @Test
  void emptyFileAndHeaderOnly() {
    assertThat(error("", DatasetOptions.csv("", "")))
        .hasMessage("t.csv is empty; a CSV dataset needs a header row and at least one data row");
    assertThat(error("a,b\n", DatasetOptions.csv("", "")))
        .hasMessage("t.csv has a header but no data rows");
  }

  @Test
  void missingLabelColumn() {
    var e = error("a,b\n1,2\n", DatasetOptions.csv("SalePrice", ""));
    assertThat(e.violations())
        .containsExactly(
            new FieldViolation("label_column", "no column 'SalePrice' in the header of t.csv (a, b)"));
  }

  @Test
  void overrideNamingAnUnknownColumn() {
    var e =
        error(
            "a,b\n1,2\n",
            DatasetOptions.csv("", "").withTypeOverrides(Map.of("c", ColumnType.NUMERIC)));
    assertThat(e.violations())
        .containsExactly(
            new FieldViolation("type_overrides[c]", "no column 'c' in the header of t.csv (a, b)"));
  }

  @Test
  void numericOverrideOnText() {
    var e =
        error(
            "a,b\n1,2\nx,3\n",
            DatasetOptions.csv("", "").withTypeOverrides(Map.of("a", ColumnType.NUMERIC)));
    assertThat(e)
        .hasMessage(
            "t.csv data row 2, column 'a': 'x' is not a number, but type_overrides makes the column NUMERIC");
  }

  @Test
  void missingLabelValue() {
    assertThat(error("a,y\n1,2\n2,NA\n", DatasetOptions.csv("y", "")))
        .hasMessage("t.csv data row 2, column 'y': the label is missing; every row needs one");
  }

  @Test
  void singleClass() {
    assertThat(error("a,y\n1,cat\n2,cat\n", DatasetOptions.csv("y", "")))
        .hasMessage("t.csv column 'y' has 1 distinct label; classification needs at least 2");
  }

  @Test
  void duplicateAndUnnamedHeaderColumns() {
    assertThat(error("a,b,a\n1,2,3\n", DatasetOptions.csv("", "")))
        .hasMessage("t.csv header: column 'a' appears twice (columns 1 and 3)");
    assertThat(error("a,,c\n1,2,3\n", DatasetOptions.csv("", "")))
        .hasMessage("t.csv header: column 2 has no name");
  }

  @Test
  void unterminatedQuote() {
    var e = error("a,b\n1,\"open\n", DatasetOptions.csv("", ""));
    assertThat(e.reason()).isEqualTo("CSV_MALFORMED");
    assertThat(e.getMessage()).startsWith("t.csv data row 1 is not valid CSV: ");
  }

  @Test
  void onlyLabelAndIdColumns() {
    assertThat(error("Id,y\n1,2\n", DatasetOptions.csv("y", "Id")))
        .hasMessage("t.csv has no feature columns besides the label and id columns");
  }

  @Test
  void invalidOptionsAreReportedByField() {
    assertThatThrownBy(
            () ->
                parse(
                    "a\n1\n",
                    new DatasetOptions(
                        null, "y", "y", ";;", null, Map.of("y", ColumnType.NUMERIC), null)))
        .isInstanceOfSatisfying(
            TrainerdException.InvalidArgument.class,
            e ->
                assertThat(e.violations())
                    .extracting(FieldViolation::field)
                    .containsExactly("separator", "id_column", "type_overrides[y]"));
  }
}
