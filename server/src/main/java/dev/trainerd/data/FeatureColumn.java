package dev.trainerd.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/** One feature column of a parsed {@link Table}, typed once for its whole length. */
public sealed interface FeatureColumn permits FeatureColumn.Numeric, FeatureColumn.Categorical {

  /** The header name. */
  String name();

  /** How the column is encoded by preprocessing. */
  ColumnType type();

  /** Number of rows. */
  int size();

  /** Number of missing cells. */
  int missingCount();

  /**
   * Numbers; {@link Double#NaN} marks a missing cell.
   *
   * @param name header name
   * @param values one value per row
   */
  record Numeric(String name, double[] values) implements FeatureColumn {
    public Numeric {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(values, "values");
    }

    @Override
    public ColumnType type() {
      return ColumnType.NUMERIC;
    }

    @Override
    public int size() {
      return values.length;
    }

    @Override
    public int missingCount() {
      int missing = 0;
      for (double v : values) {
        if (Double.isNaN(v)) {
          missing++;
        }
      }
      return missing;
    }
  }

  /**
   * Category names; {@code null} marks a missing cell. Equal names share one String instance.
   *
   * @param name header name
   * @param values one value per row
   */
  record Categorical(String name, String[] values) implements FeatureColumn {
    public Categorical {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(values, "values");
    }

    @Override
    public ColumnType type() {
      return ColumnType.CATEGORICAL;
    }

    @Override
    public int size() {
      return values.length;
    }

    @Override
    public int missingCount() {
      return (int) Arrays.stream(values).filter(Objects::isNull).count();
    }

    /** The distinct non-missing values in {@link String#compareTo} order. */
    public List<String> categories() {
      TreeSet<String> distinct = new TreeSet<>();
      for (String v : values) {
        if (v != null) {
          distinct.add(v);
        }
      }
      return List.copyOf(distinct);
    }
  }
}
