package dev.trainerd.data.prep;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import dev.trainerd.data.ColumnType;
import dev.trainerd.data.FeatureColumn;
import dev.trainerd.data.Table;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A fitted feature transform for tabular data: turns feature columns (a parsed {@link Table} or
 * raw rows of column name to text) into dense float features, identically at training and
 * prediction time.
 *
 * <p>Feature order, and names: first the numeric columns in file order (named as the column),
 * then for each categorical column in file order one feature per category in {@link
 * String#compareTo} order ({@code <column>_<category>}) followed, when {@link #missingIndicator()},
 * by {@code <column>_nan} — the order of pandas {@code get_dummies(dummy_na=True)} applied to the
 * book's frame.
 *
 * <p>Encoding: a numeric value x becomes {@code (x - mean) / std} when standardised (0 when the
 * fitted std is 0, i.e. a constant column or fewer than two values), x otherwise; a missing number
 * becomes 0. A categorical value sets its category's feature to 1; a missing one sets {@code
 * _nan}; a category never seen while fitting leaves the whole block 0. A numeric value in a
 * column fitted as categorical is rendered canonically (integral values without a decimal point)
 * before lookup.
 *
 * @param numeric statistics of the numeric columns, in feature order
 * @param categorical category lists of the categorical columns, in feature order
 * @param standardized whether numeric values are standardised
 * @param missingIndicator whether each categorical block ends with a missing indicator
 * @param missingTokens cell values meaning "missing" in raw rows
 * @param labelColumn the label column's name (ignored in raw rows), empty if none
 * @param idColumn the id column's name (ignored in raw rows), empty if none
 */
public record Preprocessor(
    List<NumericStats> numeric,
    List<CategoryList> categorical,
    boolean standardized,
    boolean missingIndicator,
    List<String> missingTokens,
    String labelColumn,
    String idColumn) {

  /**
   * Fitted statistics of one numeric column.
   *
   * @param name column name
   * @param mean mean of the fitted non-missing values (0 when not standardised)
   * @param std their sample standard deviation; 0 when undefined or zero (1 when not
   *     standardised)
   */
  public record NumericStats(String name, double mean, double std) {
    public NumericStats {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * The categories of one categorical column.
   *
   * @param name column name
   * @param categories distinct fitted values in {@link String#compareTo} order
   */
  public record CategoryList(String name, List<String> categories) {
    public CategoryList {
      Objects.requireNonNull(name, "name");
      categories = List.copyOf(categories);
    }
  }

  public Preprocessor {
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    missingTokens = List.copyOf(missingTokens);
    Objects.requireNonNull(labelColumn, "labelColumn");
    Objects.requireNonNull(idColumn, "idColumn");
    if (numeric.isEmpty() && categorical.isEmpty()) {
      throw new IllegalArgumentException("a preprocessor needs at least one column");
    }
  }

  /**
   * Fits the transform on the rows of one or more tables. The first table decides the feature
   * columns; every other table must have the same ones (by name). A column is categorical if it is
   * categorical in any of the tables, as pandas decides on the concatenated frame.
   *
   * @param tables the training table first, then any further tables to fit on
   * @param options standardisation and missing indicators; {@code fitScope} is the caller's
   */
  public static Preprocessor fit(List<Table> tables, PreprocessingOptions options) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("no tables to fit on");
    }
    Table first = tables.get(0);
    for (int t = 1; t < tables.size(); t++) {
      requireSameColumns(first, tables.get(t), "fit table " + (t + 1));
    }
    List<NumericStats> numeric = new ArrayList<>();
    List<CategoryList> categorical = new ArrayList<>();
    for (FeatureColumn column : first.features()) {
      String name = column.name();
      List<FeatureColumn> parts =
          tables.stream().map(t -> t.feature(name).orElseThrow()).toList();
      boolean categoricalAnywhere = parts.stream().anyMatch(c -> c.type() == ColumnType.CATEGORICAL);
      if (categoricalAnywhere) {
        categorical.add(new CategoryList(name, categoriesOf(parts)));
      } else if (options.standardizeNumeric()) {
        numeric.add(stats(name, parts));
      } else {
        numeric.add(new NumericStats(name, 0, 1));
      }
    }
    return new Preprocessor(
        numeric,
        categorical,
        options.standardizeNumeric(),
        options.missingIndicator(),
        first.missingTokens(),
        first.labelColumn(),
        first.idColumn());
  }

  /**
   * The sorted distinct values of a column over its parts. The per-row loops of fitting and
   * transforming are methods of their own, one per column, so that the JIT compiles small units
   * once instead of compiling the whole fit or transform on stack with every callee inlined (0.15
   * s of C2 time on the first house-price job of a server, JFR).
   */
  private static List<String> categoriesOf(List<FeatureColumn> parts) {
    TreeSet<String> categories = new TreeSet<>();
    for (FeatureColumn part : parts) {
      for (int i = 0; i < part.size(); i++) {
        String value = text(part, i);
        if (value != null) {
          categories.add(value);
        }
      }
    }
    return List.copyOf(categories);
  }

  private static NumericStats stats(String name, List<FeatureColumn> parts) {
    long n = 0;
    double sum = 0;
    for (FeatureColumn part : parts) {
      for (double v : ((FeatureColumn.Numeric) part).values()) {
        if (!Double.isNaN(v)) {
          n++;
          sum += v;
        }
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    double squares = 0;
    for (FeatureColumn part : parts) {
      for (double v : ((FeatureColumn.Numeric) part).values()) {
        if (!Double.isNaN(v)) {
          squares += (v - mean) * (v - mean);
        }
      }
    }
    double std = n < 2 ? 0 : Math.sqrt(squares / (n - 1));
    return new NumericStats(name, mean, Double.isFinite(std) ? std : 0);
  }

  /** Number of features produced per row. */
  public int featureCount() {
    int count = numeric.size();
    for (CategoryList c : categorical) {
      count += c.categories().size() + (missingIndicator ? 1 : 0);
    }
    return count;
  }

  /** The name of every feature, in order. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>(featureCount());
    numeric.forEach(s -> names.add(s.name()));
    for (CategoryList c : categorical) {
      c.categories().forEach(v -> names.add(c.name() + "_" + v));
      if (missingIndicator) {
        names.add(c.name() + "_nan");
      }
    }
    return names;
  }

  /** The feature columns this transform reads, numeric first, as in {@link #featureNames()}. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>();
    numeric.forEach(s -> names.add(s.name()));
    categorical.forEach(c -> names.add(c.name()));
    return names;
  }

  /**
   * Transforms a whole table into row-major features ({@code rowCount * featureCount()}).
   *
   * @throws TrainerdException.InvalidArgument if the table's feature columns differ from the
   *     fitted ones, or a column fitted as numeric holds text
   */
  public float[] transform(Table table) {
    requireColumns(table);
    int rows = table.rowCount();
    int width = featureCount();
    float[] out = new float[Math.multiplyExact(rows, width)];
    int offset = 0;
    for (NumericStats s : numeric) {
      writeNumeric(s, table.feature(s.name()).orElseThrow(), rows, out, width, offset);
      offset++;
    }
    for (CategoryList c : categorical) {
      writeOneHot(c, table.feature(c.name()).orElseThrow(), rows, out, width, offset);
      offset += c.categories().size() + (missingIndicator ? 1 : 0);
    }
    return out;
  }

  /** Column {@code offset} of every row: the numeric column encoded with its statistics. */
  private void writeNumeric(NumericStats s, FeatureColumn column, int rows, float[] out, int width, int offset) {
    if (column instanceof FeatureColumn.Categorical c) {
      String[] values = c.values();
      for (int i = 0; i < rows; i++) {
        double x = values[i] == null ? Double.NaN : parseNumber(values[i], s.name(), i + 1);
        out[i * width + offset] = encode(s, x);
      }
    } else {
      double[] values = ((FeatureColumn.Numeric) column).values();
      for (int i = 0; i < rows; i++) {
        out[i * width + offset] = encode(s, values[i]);
      }
    }
  }

  /** The one-hot block of a categorical column, from {@code offset} in every row. */
  private void writeOneHot(CategoryList c, FeatureColumn column, int rows, float[] out, int width, int offset) {
    Map<String, Integer> index = index(c);
    for (int i = 0; i < rows; i++) {
      int hot = hotIndex(c, index, text(column, i));
      if (hot >= 0) {
        out[i * width + offset + hot] = 1f;
      }
    }
  }

  /**
   * Transforms raw rows, as prediction requests carry them: column name to cell text. A column
   * that is absent or null is missing; the id and label columns are ignored; any other unknown
   * column is an error (it is most likely a typo).
   *
   * @throws TrainerdException.InvalidArgument naming {@code rows[i]} or {@code rows[i].<column>}
   */
  public float[] transformRows(List<Map<String, String>> rows) {
    Set<String> known = new HashSet<>(columnNames());
    List<FieldViolation> violations = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      for (String key : rows.get(i).keySet()) {
        if (!known.contains(key) && !key.equals(labelColumn) && !key.equals(idColumn)) {
          violations.add(
              new FieldViolation(
                  "rows[" + i + "]", "unknown column '" + key + "'; the model reads " + known.size() + " columns"));
        }
      }
    }
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    Set<String> missing = new HashSet<>(missingTokens);
    List<Map<String, Integer>> indices = categorical.stream().map(Preprocessor::index).toList();
    int width = featureCount();
    float[] out = new float[Math.multiplyExact(rows.size(), width)];
    for (int i = 0; i < rows.size(); i++) {
      Map<String, String> row = rows.get(i);
      int offset = 0;
      for (NumericStats s : numeric) {
        String cell = cell(row, s.name(), missing);
        double x = Double.NaN;
        if (cell != null) {
          if (!CsvParser.isNumber(cell)) {
            throw TrainerdException.InvalidArgument.of(
                "rows[" + i + "]." + s.name(), "'" + cell + "' is not a number");
          }
          x = Double.parseDouble(cell);
        }
        out[i * width + offset++] = encode(s, x);
      }
      for (int k = 0; k < categorical.size(); k++) {
        CategoryList c = categorical.get(k);
        int hot = hotIndex(c, indices.get(k), cell(row, c.name(), missing));
        if (hot >= 0) {
          out[i * width + offset + hot] = 1f;
        }
        offset += c.categories().size() + (missingIndicator ? 1 : 0);
      }
    }
    return out;
  }

  /** This transform as JSON (the record's fields), for storing with a model. */
  public String toJson() {
    return new Gson().toJson(this);
  }

  /** Reads a transform written by {@link #toJson()}. */
  public static Preprocessor fromJson(String json) {
    try {
      Preprocessor p = new Gson().fromJson(json, Preprocessor.class);
      if (p == null) {
        throw new JsonParseException("empty document");
      }
      return p;
    } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
      throw new TrainerdException.Internal(
          "PREPROCESSOR_CORRUPT", "stored preprocessing statistics cannot be read", e);
    }
  }

  private float encode(NumericStats s, double x) {
    if (Double.isNaN(x)) {
      return 0f;
    }
    if (!standardized) {
      return (float) x;
    }
    return s.std() == 0 ? 0f : (float) ((x - s.mean()) / s.std());
  }

  private int hotIndex(CategoryList c, Map<String, Integer> index, String value) {
    if (value == null) {
      return missingIndicator ? c.categories().size() : -1;
    }
    Integer hot = index.get(value);
    if (hot == null && CsvParser.isNumber(value)) {
      hot = index.get(canonicalNumber(Double.parseDouble(value)));
    }
    return hot == null ? -1 : hot;
  }

  private static Map<String, Integer> index(CategoryList c) {
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < c.categories().size(); k++) {
      index.put(c.categories().get(k), k);
    }
    return index;
  }

  private static String cell(Map<String, String> row, String column, Set<String> missing) {
    String raw = row.get(column);
    if (raw == null) {
      return null;
    }
    String cell = raw.strip();
    return missing.contains(cell) ? null : cell;
  }

  private static double parseNumber(String text, String column, int row) {
    if (!CsvParser.isNumber(text)) {
      throw TrainerdException.InvalidArgument.of(
          "rows[" + (row - 1) + "]." + column,
          "data row " + row + ", column '" + column + "': '" + text
              + "' is not a number, but the column is numeric in the training data");
    }
    return Double.parseDouble(text);
  }

  /** The text of a cell for category lookup; null when missing. */
  private static String text(FeatureColumn column, int row) {
    if (column instanceof FeatureColumn.Categorical c) {
      return c.values()[row];
    }
    double v = ((FeatureColumn.Numeric) column).values()[row];
    return Double.isNaN(v) ? null : canonicalNumber(v);
  }

  /** Integral values without a decimal point ({@code 20}), others as {@link Double#toString}. */
  static String canonicalNumber(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static void requireSameColumns(Table expected, Table actual, String what) {
    Set<String> a = names(expected);
    Set<String> b = names(actual);
    if (!a.equals(b)) {
      throw columnMismatch(a, b, what);
    }
  }

  private void requireColumns(Table table) {
    Set<String> fitted = new TreeSet<>(columnNames());
    Set<String> actual = names(table);
    if (!fitted.equals(actual)) {
      throw columnMismatch(fitted, actual, "the dataset");
    }
  }

  private static Set<String> names(Table table) {
    Set<String> names = new TreeSet<>();
    table.features().forEach(c -> names.add(c.name()));
    return names;
  }

  private static TrainerdException.InvalidArgument columnMismatch(
      Set<String> expected, Set<String> actual, String what) {
    Set<String> lacking = new TreeSet<>(expected);
    lacking.removeAll(actual);
    Set<String> extra = new TreeSet<>(actual);
    extra.removeAll(expected);
    StringBuilder b = new StringBuilder(what).append(" has other feature columns than the training data:");
    if (!lacking.isEmpty()) {
      b.append(" lacks ").append(String.join(", ", lacking));
    }
    if (!extra.isEmpty()) {
      b.append(lacking.isEmpty() ? " " : "; ").append("has extra ").append(String.join(", ", extra));
      b.append(" (set id_column or label_column for columns that are not features)");
    }
    return new TrainerdException.InvalidArgument(
        "DATASET_COLUMNS_MISMATCH", b.toString(), List.of(new FieldViolation("columns", b.toString())));
  }
}
