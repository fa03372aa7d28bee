package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.models.ModelCodec;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Models on the local disk, one atomically written file each: {@code models/{id}.model}. */
public final class FileModelRepository implements ModelRepository {
  private final RecordFolder records;
  private final ModelCodec codec;

  public FileModelRepository(Path dataDir, ModelCodec codec) {
    this.records = new RecordFolder(dataDir, "models", ".model");
    this.codec = codec;
  }

  @Override
  public void save(ModelRecord model) {
    records.write(model.id(), codec.encode(model), "model");
  }

  @Override
  public Optional<ModelRecord> find(String id) {
    if (!Ids.isValid(id)) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(Files.readAllBytes(records.file(id))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not read model " + id, e);
    }
  }

  @Override
  public List<ModelRecord> loadAll() {
    return records.readAll(codec::decode);
  }

  @Override
  public boolean delete(String id) {
    try {
      boolean existed = Files.deleteIfExists(records.file(id));
      AtomicFiles.syncDirectory(records.dir());
      return existed;
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not delete model " + id, e);
    }
  }
}
