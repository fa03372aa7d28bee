package dev.trainerd.data;

import dev.trainerd.data.prep.PreprocessingOptions;
import dev.trainerd.data.prep.Preprocessor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the metadata of a dataset says about its content, computed once when it is stored.
 *
 * @param schema feature columns of a tabular dataset, in file order; empty for dense data
 * @param rows number of examples
 * @param featureCount features per example after the default preprocessing fitted on the dataset
 *     itself (tabular), or the dense feature count (IDX: rows x cols pixels; synthetic)
 * @param labelKind what the labels are
 * @param classNames class names by index for classification
 */
public record DatasetSummary(
    List<ColumnSchema> schema,
    int rows,
    int featureCount,
    LabelKind labelKind,
    List<String> classNames) {

  public DatasetSummary {
    schema = List.copyOf(schema);
    classNames = List.copyOf(classNames);
  }

  /** Summarises a freshly parsed dataset. */
  public static DatasetSummary of(LoadedDataset dataset) {
    if (dataset instanceof LoadedDataset.Tabular tabular) {
      Table table = tabular.table();
      List<ColumnSchema> schema = new ArrayList<>();
      for (FeatureColumn c : table.features()) {
        List<String> categories =
            c instanceof FeatureColumn.Categorical categorical ? categorical.categories() : List.of();
        schema.add(new ColumnSchema(c.name(), c.type(), c.missingCount(), categories));
      }
      int features =
          Preprocessor.fit(List.of(table), PreprocessingOptions.DEFAULTS)
              .featureCount();
      return new DatasetSummary(
          schema, table.rowCount(), features, table.labelKind(), table.classNames());
    }
    LoadedDataset.Dense dense = (LoadedDataset.Dense) dataset;
    return new DatasetSummary(
        List.of(),
        dense.rowCount(),
        dense.examples().featureCount(),
        dense.labelKind(),
        dense.classNames());
  }
}
