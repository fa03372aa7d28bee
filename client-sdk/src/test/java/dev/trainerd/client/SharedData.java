package dev.trainerd.client;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared data sets: system property {@code trainerd.shared.data}, else {@code ../shared/data}. */
public final class SharedData {
  private SharedData() {}

  /** The shared data directory. */
  public static Path root() {
    String property = System.getProperty("trainerd.shared.data");
    Path root = property != null ? Path.of(property) : Path.of("..", "shared", "data");
    if (!Files.isDirectory(root)) {
      root = Path.of("..", "..", "shared", "data");
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("shared data not found; set -Dtrainerd.shared.data (was " + property + ")");
    }
    return root;
  }

  /** A Fashion-MNIST file, e.g. {@code train-images-idx3-ubyte.gz}. */
  public static Path fashionMnist(String file) {
    return root().resolve("fashion-mnist").resolve(file);
  }

  /** A house-prices file: {@code train.csv} or {@code test.csv}. */
  public static Path housePrices(String file) {
    return root().resolve("house-prices").resolve(file);
  }
}
