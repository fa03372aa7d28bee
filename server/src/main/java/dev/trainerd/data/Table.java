package dev.trainerd.data;

import dev.trainerd.ml.Examples;
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
 */
public record Table(
    int rowCount,
    List<FeatureColumn> features,
    Examples.Labels labels,
    List<String> classNames,
    String labelColumn,
    String idColumn,
    List<String> ids) {

  public Table {
    features = List.copyOf(features);
    Objects.requireNonNull(labels, "labels");
    classNames = List.copyOf(classNames);
    Objects.requireNonNull(labelColumn, "labelColumn");
    Objects.requireNonNull(idColumn, "idColumn");
    ids = List.copyOf(ids);
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

  /** What the labels are. */
  public LabelKind labelKind() {
    if (labels instanceof Examples.Labels.Regression) {
      return LabelKind.REGRESSION;
    }
    return labels instanceof Examples.Labels.Classes ? LabelKind.CLASSIFICATION : LabelKind.NONE;
  }
}
