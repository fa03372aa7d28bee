package dev.trainerd.store;

import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.NamedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where data sets live once uploaded: each data set's metadata record and the contents of its
 * files, content-addressed by SHA-256 so a file uploaded twice is stored once. {@link
 * DatasetStore} validates uploads and derives ids; a repository only keeps what it is given.
 *
 * <p>Two implementations: {@link LocalDatasetRepository} (the data directory of one server) and
 * the cluster's, with records in PostgreSQL and contents in an object store. Every method is
 * thread-safe; what {@link #commit} and {@link #delete} change is durable when they return.
 */
public interface DatasetRepository {

  /**
   * A fully received upload file.
   *
   * @param name the file's name in the data set
   * @param path where its bytes are staged (forced to disk)
   * @param bytes its length
   * @param sha256 its content hash, lowercase hex
   */
  record Staged(String name, Path path, long bytes, String sha256) {}

  /** Files of a data set readable on the local disk until closed. */
  interface Contents extends AutoCloseable {
    /** The data set's files in its record's order. */
    List<NamedFile> files();

    /** Releases local copies, if the repository made any. */
    @Override
    void close();
  }

  /** The record with this (valid) id, if stored. */
  Optional<DatasetMetadata> find(String id);

  /** Every stored record, in no particular order. */
  List<DatasetMetadata> all();

  /** Bytes of every stored data set's files (a content shared by two data sets counts twice). */
  long totalBytes();

  /**
   * Stores the staged contents, then the record, so a crash leaves either nothing visible or a
   * complete data set. When a record with the same id exists, stores nothing and returns it.
   */
  DatasetMetadata commit(DatasetMetadata metadata, List<Staged> staged) throws IOException;

  /** Removes the record and the contents no other record uses; false when no such record. */
  boolean delete(String id) throws IOException;

  /**
   * The data set's files for reading.
   *
   * @throws java.nio.file.NoSuchFileException when a content is missing (deleted meanwhile)
   */
  Contents open(DatasetMetadata metadata) throws IOException;
}
