package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.sweeps.SweepCodec;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.sweeps.SweepRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Sweeps on the local disk: {@code sweeps/{id}.sweep}, replaced atomically on every change. */
public final class FileSweepRepository implements SweepRepository {
  private static final String SUFFIX = ".sweep";

  private final Path dir;
  private final SweepCodec codec;

  public FileSweepRepository(Path dataDir, SweepCodec codec) {
    this.dir = dataDir.resolve("sweeps");
    this.codec = codec;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  @Override
  public synchronized void save(SweepRecord sweep) {
    try {
      AtomicFiles.writeBytes(dir.resolve(Ids.requireValid(sweep.id()) + SUFFIX), codec.encode(sweep));
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not save sweep " + sweep.id(), e);
    }
  }

  @Override
  public synchronized List<SweepRecord> loadAll() {
    return FileJobRepository.readAll(dir, SUFFIX, codec::decode);
  }
}
