package dev.trainerd.data;

import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The decoded content of a stored dataset, as training and prediction consume it. */
public sealed interface LoadedDataset permits LoadedDataset.Tabular, LoadedDataset.Dense {

  /** Number of examples. */
  int rowCount();

  /** What the labels are. */
  LabelKind labelKind();

  /** Class names by index for classification, empty otherwise. */
  List<String> classNames();

  /** The id column's values, one per row (for a submission); empty when there is none. */
  List<String> ids();

  /** The id column's name; empty when there is none. */
  String idColumn();

  /**
   * A table still to be preprocessed (CSV).
   *
   * @param table the parsed columns
   */
  record Tabular(Table table) implements LoadedDataset {
    public Tabular {
      Objects.requireNonNull(table, "table");
    }

    @Override
    public int rowCount() {
      return table.rowCount();
    }

    @Override
    public LabelKind labelKind() {
      return table.labelKind();
    }

    @Override
    public List<String> classNames() {
      return table.classNames();
    }

    @Override
    public List<String> ids() {
      return table.ids();
    }

    @Override
    public String idColumn() {
      return table.idColumn();
    }
  }

  /**
   * Examples that are already dense features (IDX images, synthetic data, image data sets);
   * preprocessing leaves them as they are.
   *
   * @param examples the features and labels; for image data sets with random transforms, the
   *     deterministic view that evaluation, validation and prediction use
   * @param classNames class names by index for classification (for example {@code "0"}..{@code
   *     "9"} for IDX labels), empty otherwise
   * @param augmentation for image data sets with random transforms, the per-epoch training view
   *     of the same rows; empty otherwise
   */
  record Dense(Examples examples, List<String> classNames, Optional<EpochAugmentation> augmentation)
      implements LoadedDataset {
    public Dense {
      Objects.requireNonNull(examples, "examples");
      classNames = List.copyOf(classNames);
      Objects.requireNonNull(augmentation, "augmentation");
      augmentation.ifPresent(
          a -> {
            if (a.count() != examples.count() || a.featureCount() != examples.featureCount()) {
              throw new IllegalArgumentException("the augmentation must cover the examples' rows and features");
            }
          });
    }

    /** Dense examples without augmentation. */
    public Dense(Examples examples, List<String> classNames) {
      this(examples, classNames, Optional.empty());
    }

    @Override
    public int rowCount() {
      return examples.count();
    }

    @Override
    public List<String> ids() {
      return List.of();
    }

    @Override
    public String idColumn() {
      return "";
    }

    @Override
    public LabelKind labelKind() {
      if (examples.labels() instanceof Examples.Labels.Regression) {
        return LabelKind.REGRESSION;
      }
      return examples.labels() instanceof Examples.Labels.Classes
          ? LabelKind.CLASSIFICATION
          : LabelKind.NONE;
    }
  }
}
