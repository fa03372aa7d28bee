package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.models.ModelCodec;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Models on the local disk, one atomically written file each: {@code models/{id}.model}. */
public final class FileModelRepository implements ModelRepository {
  private static final String SUFFIX = ".model";

  private final Path dir;
  private final ModelCodec codec;

  public FileModelRepository(Path dataDir, ModelCodec codec) {
    this.dir = dataDir.resolve("models");
    this.codec = codec;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  @Override
  public void save(ModelRecord model) {
    try {
      AtomicFiles.writeBytes(file(model.id()), codec.encode(model));
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not save model " + model.id(), e);
    }
  }

  @Override
  public Optional<ModelRecord> find(String id) {
    if (!Ids.isValid(id)) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(Files.readAllBytes(file(id))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not read model " + id, e);
    }
  }

  @Override
  public List<ModelRecord> loadAll() {
    return FileJobRepository.readAll(dir, SUFFIX, codec::decode);
  }

  @Override
  public boolean delete(String id) {
    try {
      boolean existed = Files.deleteIfExists(file(id));
      AtomicFiles.syncDirectory(dir);
      return existed;
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not delete model " + id, e);
    }
  }

  private Path file(String id) {
    return dir.resolve(Ids.requireValid(id) + SUFFIX);
  }
}
