package dev.trainerd.data;

import dev.trainerd.ml.Examples;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed tabular dataset, split by role: feature columns (typed, in file order), the labels,
 * and the id column kept aside. Preprocessing turns the feature columns into dense features.
 *
 * @param rowCount number of data rows
 * @param features feature columns in file order, excluding the label and id columns
 * @param labels the label column decoded: regression targets, class indices, or none
 * @param classNames for classification, the name of each class index (sorted: numerically when
 *     every name is a number, otherwise by {@link String#compareTo}); empty otherwise
 * @param labelColumn name of the label column, empty when unlabelled
 * @param idColumn name of the id column, empty when there is none
 * @param ids the id column's values (trimmed text), one per row; empty when there is none
 * @param missingTokens the cell values that meant "missing" when the table was parsed; raw
 *     prediction rows are read with the same ones
 */
public record Table(
    int rowCount,
    List<FeatureColumn> features,
    Examples.Labels labels,
    List<String> classNames,
    String labelColumn,
    String idColumn,
    List<String> ids,
    List<String> missingTokens) {

  public Table {
    features = List.copyOf(features);
    Objects.requireNonNull(labels, "labels");
    classNames = List.copyOf(classNames);
    Objects.requireNonNull(labelColumn, "labelColumn");
    Objects.requireNonNull(idColumn, "idColumn");
    ids = List.copyOf(ids);
    missingTokens = List.copyOf(missingTokens);
    for (FeatureColumn c : features) {
      if (c.size() != rowCount) {
        throw new IllegalArgumentException(
            "column " + c.name() + " has " + c.size() + " rows, expected " + rowCount);
      }
    }
    if (!(labels instanceof Examples.Labels.None) && labels.count() != rowCount) {
      throw new IllegalArgumentException("labels has " + labels.count() + " rows");
    }
    if (!ids.isEmpty() && ids.size() != rowCount) {
      throw new IllegalArgumentException("ids has " + ids.size() + " rows");
    }
  }

  /** The feature column with this name, if any. */
  public Optional<FeatureColumn> feature(String name) {
    return features.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The rows at {@code indices}, in that order: copies of every column, the labels and the ids.
   *
   * @throws IndexOutOfBoundsException when an index is outside {@code [0, rowCount)}
   */
  public Table rows(int[] indices) {
    List<FeatureColumn> picked = new ArrayList<>(features.size());
    for (FeatureColumn c : features) {
      if (c instanceof FeatureColumn.Numeric n) {
        double[] v = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
          v[i] = n.values()[indices[i]];
        }
        picked.add(new FeatureColumn.Numeric(n.name(), v));
      } else {
        FeatureColumn.Categorical k = (FeatureColumn.Categorical) c;
        String[] v = new String[indices.length];
        for (int i = 0; i < indices.length; i++) {
          v[i] = k.values()[indices[i]];
        }
        picked.add(new FeatureColumn.Categorical(k.name(), v));
      }
    }
    Examples.Labels pickedLabels = labels;
    if (labels instanceof Examples.Labels.Regression r) {
      float[] v = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = r.values()[indices[i]];
      }
      pickedLabels = new Examples.Labels.Regression(v);
    } else if (labels instanceof Examples.Labels.Classes k) {
      int[] v = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = k.values()[indices[i]];
      }
      pickedLabels = new Examples.Labels.Classes(v, k.classCount());
    }
    List<String> pickedIds = new ArrayList<>(ids.isEmpty() ? 0 : indices.length);
    if (!ids.isEmpty()) {
      for (int i : indices) {
        pickedIds.add(ids.get(i));
      }
    }
    return new Table(
        indices.length, picked, pickedLabels, classNames, labelColumn, idColumn, pickedIds,
        missingTokens);
  }

  /** What the labels are. */
  public LabelKind labelKind() {
    if (labels instanceof Examples.Labels.Regression) {
      return LabelKind.REGRESSION;
    }
    return labels instanceof Examples.Labels.Classes ? LabelKind.CLASSIFICATION : LabelKind.NONE;
  }
}
