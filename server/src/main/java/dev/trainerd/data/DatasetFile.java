package dev.trainerd.data;

import java.util.Objects;

/**
 * One stored file of a dataset.
 *
 * @param name the file's name within the dataset
 * @param bytes its size
 * @param sha256 lowercase hex SHA-256 of its bytes (also its blob's address in the store)
 */
public record DatasetFile(String name, long bytes, String sha256) {
  public DatasetFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
  }
}
