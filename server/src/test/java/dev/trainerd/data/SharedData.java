package dev.trainerd.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the shared data sets (system property, else beside the project). */
public final class SharedData {
  private SharedData() {}

  /** The folder holding {@code house-prices/} and {@code fashion-mnist/}. */
  public static Path root() {
    String configured = System.getProperty("trainerd.shared.data");
    Path root = configured != null ? Path.of(configured) : Path.of("..", "shared", "data");
    if (!Files.isDirectory(root)) {
      root = Path.of("..", "..", "shared", "data");
    }
    return root;
  }

  public static Path fashionMnist(String file) {
    return root().resolve("fashion-mnist").resolve(file);
  }

  public static Path housePrices(String file) {
    return root().resolve("house-prices").resolve(file);
  }
}
