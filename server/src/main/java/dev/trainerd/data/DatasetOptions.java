package dev.trainerd.data;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything that decides how the bytes of a dataset are parsed. Two uploads with the same bytes
 * and equal options are the same dataset; the display name is deliberately not part of this.
 *
 * <p>Field paths in violations are relative ({@code label_column}, {@code type_overrides[Col]});
 * the API prefixes them with the request path.
 *
 * @param format how to read the files; default {@link DatasetFormat#AUTO}
 * @param labelColumn CSV: name of the label column; empty means unlabelled
 * @param idColumn CSV: name of a row id column kept aside (not a feature), such as Kaggle's
 *     {@code Id}; empty means none
 * @param separator CSV: the field separator, one character; empty means detect among {@code ,}
 *     {@code ;} and tab from the header line
 * @param missingTokens CSV: cell values (after trimming) that mean "missing"; {@code null} means
 *     the default {@link #DEFAULT_MISSING_TOKENS}; a given list replaces the default entirely
 * @param typeOverrides CSV: column name to the type it must have, instead of the inferred one
 * @param taskKind CSV with a label column: classification or regression; default inferred
 * @param image image formats: transforms, their seed and the CIFAR label choice; default {@link
 *     ImageOptions#NONE}
 */
public record DatasetOptions(
    DatasetFormat format,
    String labelColumn,
    String idColumn,
    String separator,
    List<String> missingTokens,
    Map<String, ColumnType> typeOverrides,
    TaskKind taskKind,
    ImageOptions image) {

  /** Missing-value tokens used unless the upload names its own: empty, {@code NA}, {@code ?}. */
  public static final List<String> DEFAULT_MISSING_TOKENS = List.of("", "NA", "?");

  /** Options with every default: AUTO format, no label, no id, detected separator. */
  public static final DatasetOptions DEFAULTS =
      new DatasetOptions(DatasetFormat.AUTO, "", "", "", null, Map.of(), TaskKind.AUTO);

  public DatasetOptions {
    format = format == null ? DatasetFormat.AUTO : format;
    labelColumn = labelColumn == null ? "" : labelColumn;
    idColumn = idColumn == null ? "" : idColumn;
    separator = separator == null ? "" : separator;
    missingTokens =
        missingTokens == null ? DEFAULT_MISSING_TOKENS : List.copyOf(missingTokens);
    typeOverrides =
        typeOverrides == null
            ? Collections.unmodifiableSortedMap(new TreeMap<>())
            : Collections.unmodifiableSortedMap(new TreeMap<>(typeOverrides));
    taskKind = taskKind == null ? TaskKind.AUTO : taskKind;
    image = image == null ? ImageOptions.NONE : image;
  }

  /** Options without image settings (the tabular and IDX formats). */
  public DatasetOptions(
      DatasetFormat format,
      String labelColumn,
      String idColumn,
      String separator,
      List<String> missingTokens,
      Map<String, ColumnType> typeOverrides,
      TaskKind taskKind) {
    this(format, labelColumn, idColumn, separator, missingTokens, typeOverrides, taskKind, ImageOptions.NONE);
  }

  /** CSV options with a label column and defaults otherwise. */
  public static DatasetOptions csv(String labelColumn, String idColumn) {
    return new DatasetOptions(
        DatasetFormat.CSV, labelColumn, idColumn, "", null, Map.of(), TaskKind.AUTO);
  }

  public DatasetOptions withFormat(DatasetFormat newFormat) {
    return new DatasetOptions(
        newFormat, labelColumn, idColumn, separator, missingTokens, typeOverrides, taskKind, image);
  }

  public DatasetOptions withSeparator(String newSeparator) {
    return new DatasetOptions(
        format, labelColumn, idColumn, newSeparator, missingTokens, typeOverrides, taskKind, image);
  }

  public DatasetOptions withMissingTokens(List<String> tokens) {
    return new DatasetOptions(
        format, labelColumn, idColumn, separator, tokens, typeOverrides, taskKind, image);
  }

  public DatasetOptions withTypeOverrides(Map<String, ColumnType> overrides) {
    return new DatasetOptions(
        format, labelColumn, idColumn, separator, missingTokens, overrides, taskKind, image);
  }

  public DatasetOptions withTaskKind(TaskKind kind) {
    return new DatasetOptions(
        format, labelColumn, idColumn, separator, missingTokens, typeOverrides, kind, image);
  }

  public DatasetOptions withImage(ImageOptions newImage) {
    return new DatasetOptions(
        format, labelColumn, idColumn, separator, missingTokens, typeOverrides, taskKind, newImage);
  }

  public boolean hasLabel() {
    return !labelColumn.isEmpty();
  }

  public boolean hasId() {
    return !idColumn.isEmpty();
  }

  /** The problems with these options that do not need the data to be seen. */
  public List<FieldViolation> violations() {
    List<FieldViolation> out = new ArrayList<>();
    if (separator.length() > 1) {
      out.add(new FieldViolation("separator", "must be one character (such as , ; or a tab)"));
    } else if (separator.equals("\"") || separator.equals("\r") || separator.equals("\n")) {
      out.add(new FieldViolation("separator", "cannot be a quote or a line break"));
    }
    if (hasLabel() && labelColumn.equals(idColumn)) {
      out.add(new FieldViolation("id_column", "must differ from label_column"));
    }
    for (int i = 0; i < missingTokens.size(); i++) {
      String token = missingTokens.get(i);
      if (token == null) {
        out.add(new FieldViolation("missing_tokens[" + i + "]", "must not be null"));
      } else if (!token.equals(token.strip())) {
        out.add(
            new FieldViolation(
                "missing_tokens[" + i + "]", "cells are trimmed, so a token cannot start or end with spaces"));
      }
    }
    for (Map.Entry<String, ColumnType> e : typeOverrides.entrySet()) {
      String field = "type_overrides[" + e.getKey() + "]";
      if (e.getValue() == null) {
        out.add(new FieldViolation(field, "type must be NUMERIC or CATEGORICAL"));
      } else if (hasLabel() && e.getKey().equals(labelColumn)) {
        out.add(new FieldViolation(field, "the label column is not a feature; use task_kind"));
      } else if (hasId() && e.getKey().equals(idColumn)) {
        out.add(new FieldViolation(field, "the id column is not a feature"));
      }
    }
    if (taskKind != TaskKind.AUTO && !hasLabel()) {
      out.add(new FieldViolation("task_kind", "needs a label_column"));
    }
    out.addAll(image.violations());
    if (image.isSet() && (format == DatasetFormat.CSV || format == DatasetFormat.IDX || format == DatasetFormat.SYNTHETIC)) {
      out.add(new FieldViolation("transforms", "image options apply only to IMAGE_FOLDER, IMAGE_LIST and CIFAR data sets"));
    }
    return out;
  }

  /** Throws {@link TrainerdException.InvalidArgument} listing every violation, if any. */
  public DatasetOptions validated() {
    List<FieldViolation> v = violations();
    if (!v.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(v);
    }
    return this;
  }

  /**
   * A deterministic text form of every option that changes the parse, used in the identity of a
   * stored dataset. Values are length-prefixed so no two option sets share a form.
   */
  public String canonicalForm() {
    StringBuilder b = new StringBuilder("options/v1");
    append(b, "format", format.name());
    append(b, "label", labelColumn);
    append(b, "id", idColumn);
    append(b, "separator", separator);
    append(b, "missing", String.valueOf(missingTokens.size()));
    missingTokens.forEach(t -> append(b, "m", t));
    append(b, "overrides", String.valueOf(typeOverrides.size()));
    typeOverrides.forEach((k, v) -> append(b, k, v.name()));
    append(b, "task", taskKind.name());
    if (image.isSet()) {
      // Only when set, so the identities of data sets stored before image options stay as they were.
      append(b, "image", image.canonicalForm());
    }
    return b.toString();
  }

  private static void append(StringBuilder b, String key, String value) {
    b.append('|').append(key).append('=').append(value.length()).append(':').append(value);
  }
}
