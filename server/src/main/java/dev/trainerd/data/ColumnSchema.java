package dev.trainerd.data;

import java.util.List;
import java.util.Objects;

/**
 * The schema of one feature column of a tabular dataset.
 *
 * @param name header name
 * @param type numeric or categorical (after overrides)
 * @param missing number of missing cells
 * @param categories the distinct values of a categorical column in {@link String#compareTo}
 *     order; empty for numeric columns
 */
public record ColumnSchema(String name, ColumnType type, int missing, List<String> categories) {
  public ColumnSchema {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    categories = categories == null ? List.of() : List.copyOf(categories);
  }
}
