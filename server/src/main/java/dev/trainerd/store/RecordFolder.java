package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A folder of the data directory holding one file per record, {@code <id><suffix>}, each replaced
 * atomically: what the job, model and sweep repositories share.
 */
final class RecordFolder {
  private final Path dir;
  private final String suffix;

  /** Opens (creating when missing) {@code dataDir/name}. */
  RecordFolder(Path dataDir, String name, String suffix) {
    this.dir = dataDir.resolve(name);
    this.suffix = suffix;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  Path dir() {
    return dir;
  }

  /** The record file of {@code id} (validated first). */
  Path file(String id) {
    return dir.resolve(Ids.requireValid(id) + suffix);
  }

  /**
   * Replaces the record of {@code id} atomically.
   *
   * @param what the record's kind, for the error message ("job", "model", ...)
   */
  void write(String id, byte[] bytes, String what) {
    try {
      AtomicFiles.writeBytes(file(id), bytes);
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not save " + what + " " + id, e);
    }
  }

  /** Decodes every record in the folder. */
  <T> List<T> readAll(Function<byte[], T> decode) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
        out.add(decode.apply(Files.readAllBytes(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    return out;
  }
}
