package dev.trainerd.client;

import dev.trainerd.v1.ColumnType;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.UploadDatasetMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to upload: the metadata (how the server reads the files) and the files themselves, from
 * paths or streams, in order. An IDX data set is its images and labels files in one upload.
 *
 * <pre>{@code
 * DatasetUpload upload = DatasetUpload.newBuilder()
 *     .displayName("house prices")
 *     .labelColumn("SalePrice")
 *     .idColumn("Id")
 *     .addFile(Path.of("train.csv"))
 *     .build();
 * }</pre>
 */
public final class DatasetUpload {
  /** Bytes per chunk message unless set: 1 MiB (the server accepts up to 4 MiB). */
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  /** The server's limit on one chunk. */
  public static final int MAX_CHUNK_BYTES = 4 << 20;

  /** One file to send: a path, or a stream the upload reads (and closes). */
  sealed interface Source permits FileSource, StreamSource {
    String fileName();

    /** Size in bytes, or -1 when unknown. */
    long size();

    InputStream open() throws IOException;
  }

  record FileSource(Path path) implements Source {
    @Override
    public String fileName() {
      return path.getFileName().toString();
    }

    @Override
    public long size() {
      try {
        return Files.size(path);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }

    @Override
    public InputStream open() throws IOException {
      return Files.newInputStream(path);
    }
  }

  record StreamSource(String fileName, InputStream stream, long size) implements Source {
    @Override
    public InputStream open() {
      return stream;
    }
  }

  private final UploadDatasetMetadata metadata;
  private final List<Source> sources;
  private final UploadProgressListener progress;
  private final int chunkBytes;

  private DatasetUpload(Builder b) {
    this.metadata = b.metadata.build();
    this.sources = List.copyOf(b.sources);
    this.progress = b.progress;
    this.chunkBytes = b.chunkBytes;
  }

  /** A new builder. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The first message of the upload. */
  public UploadDatasetMetadata metadata() {
    return metadata;
  }

  List<Source> sources() {
    return sources;
  }

  UploadProgressListener progress() {
    return progress;
  }

  int chunkBytes() {
    return chunkBytes;
  }

  /** Builds a {@link DatasetUpload}. */
  public static final class Builder {
    private final UploadDatasetMetadata.Builder metadata = UploadDatasetMetadata.newBuilder();
    private final List<Source> sources = new ArrayList<>();
    private UploadProgressListener progress = (file, sent, total) -> {};
    private int chunkBytes = DEFAULT_CHUNK_BYTES;

    private Builder() {}

    /** Starts from complete metadata (fields set afterwards override it). */
    public Builder metadata(UploadDatasetMetadata value) {
      metadata.mergeFrom(value);
      return this;
    }

    /** Human-readable name; up to 200 characters. */
    public Builder displayName(String value) {
      metadata.setDisplayName(value);
      return this;
    }

    /** File format; detected by the server when not set. */
    public Builder format(DatasetFormat value) {
      metadata.setFormat(value);
      return this;
    }

    /** CSV: the label column; without one the data set is unlabelled. */
    public Builder labelColumn(String value) {
      metadata.setLabelColumn(value);
      return this;
    }

    /** CSV: a column kept aside as the example id (e.g. {@code Id}). */
    public Builder idColumn(String value) {
      metadata.setIdColumn(value);
      return this;
    }

    /** CSV: the one-character separator; detected among comma, semicolon and tab when unset. */
    public Builder separator(String value) {
      metadata.setSeparator(value);
      return this;
    }

    /** CSV: tokens meaning missing (default: empty, {@code NA}, {@code ?}). */
    public Builder missingValues(List<String> values) {
      metadata.clearMissingValues().addAllMissingValues(values);
      return this;
    }

    /** CSV: overrides the inferred type of a column. */
    public Builder columnType(String column, ColumnType type) {
      metadata.putColumnTypes(column, type);
      return this;
    }

    /** Task of the label column; inferred when unset. */
    public Builder task(TaskType value) {
      metadata.setTask(value);
      return this;
    }

    /** Adds a file; its base name is sent as the file name. */
    public Builder addFile(Path file) {
      Objects.requireNonNull(file, "file");
      if (!Files.isRegularFile(file)) {
        throw TrainerException.invalid(List.of(new FieldViolation("files", "not a readable file: " + file)));
      }
      sources.add(new FileSource(file));
      return this;
    }

    /**
     * Adds a file read from a stream, which the upload reads to its end and closes.
     *
     * @param fileName the base name sent to the server (e.g. {@code train.csv})
     * @param size its size in bytes for progress reports, or -1 when unknown
     */
    public Builder addStream(String fileName, InputStream stream, long size) {
      Objects.requireNonNull(fileName, "fileName");
      Objects.requireNonNull(stream, "stream");
      sources.add(new StreamSource(fileName, stream, size));
      return this;
    }

    /** Receives progress after each chunk. */
    public Builder progressListener(UploadProgressListener listener) {
      this.progress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Bytes per chunk message; 1 to 4 MiB, default 1 MiB. */
    public Builder chunkBytes(int bytes) {
      if (bytes <= 0 || bytes > MAX_CHUNK_BYTES) {
        throw TrainerException.invalid(
            List.of(new FieldViolation("chunk_bytes", "must be 1 to " + MAX_CHUNK_BYTES + ", was " + bytes)));
      }
      this.chunkBytes = bytes;
      return this;
    }

    /**
     * The upload.
     *
     * @throws TrainerException (INVALID_ARGUMENT) when no file was added
     */
    public DatasetUpload build() {
      if (sources.isEmpty()) {
        throw TrainerException.invalid(List.of(new FieldViolation("files", "add at least one file")));
      }
      return new DatasetUpload(this);
    }
  }
}
