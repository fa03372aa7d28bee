package dev.trainerd.data;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The record kept for every stored dataset. A dataset is visible exactly when its metadata record
 * has been written; the files it names are immutable, content-addressed blobs.
 *
 * @param id short URL-safe id derived from the content hash and the parse options
 * @param displayName the name the uploader gave (not part of the identity)
 * @param format the resolved format (never AUTO)
 * @param files the stored files, in upload order
 * @param sha256 the content hash: the file's SHA-256 for one file; for several files the SHA-256
 *     of the lines {@code "<sha256>  <name>\n"} sorted by name (the {@code sha256sum} listing)
 * @param options the options the content is parsed with (format resolved)
 * @param summary schema, rows, features, label kind and class names
 * @param description what produced a synthetic dataset (its generator spec); empty otherwise
 * @param createTime when the dataset was first stored
 */
public record DatasetMetadata(
    String id,
    String displayName,
    DatasetFormat format,
    List<DatasetFile> files,
    String sha256,
    DatasetOptions options,
    DatasetSummary summary,
    String description,
    Instant createTime) {

  public DatasetMetadata {
    Objects.requireNonNull(id, "id");
    displayName = displayName == null ? "" : displayName;
    Objects.requireNonNull(format, "format");
    files = List.copyOf(files);
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(summary, "summary");
    description = description == null ? "" : description;
    Objects.requireNonNull(createTime, "createTime");
  }

  /** The resource name, {@code datasets/{id}}. */
  public String name() {
    return "datasets/" + id;
  }

  /** Total size of the files. */
  public long bytes() {
    return files.stream().mapToLong(DatasetFile::bytes).sum();
  }

  public int rows() {
    return summary.rows();
  }

  public int featureCount() {
    return summary.featureCount();
  }

  public LabelKind labelKind() {
    return summary.labelKind();
  }

  public List<String> classNames() {
    return summary.classNames();
  }

  public List<ColumnSchema> schema() {
    return summary.schema();
  }

  /** The label column of a tabular dataset, empty if none. */
  public String labelColumn() {
    return options.labelColumn();
  }

  /** The id column of a tabular dataset, empty if none. */
  public String idColumn() {
    return options.idColumn();
  }
}
