package dev.trainerd.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file of a dataset as a parser sees it: its name within the dataset and where its bytes are.
 *
 * @param name the file's name within the dataset (for example {@code train-images-idx3-ubyte.gz})
 * @param path where the bytes can be read; parsers only read it
 */
public record NamedFile(String name, Path path) {
  public NamedFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
  }
}
