package dev.trainerd.store;

import dev.trainerd.sweeps.SweepCodec;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.sweeps.SweepRepository;
import java.nio.file.Path;
import java.util.List;

/** Sweeps on the local disk: {@code sweeps/{id}.sweep}, replaced atomically on every change. */
public final class FileSweepRepository implements SweepRepository {
  private final RecordFolder records;
  private final SweepCodec codec;

  public FileSweepRepository(Path dataDir, SweepCodec codec) {
    this.records = new RecordFolder(dataDir, "sweeps", ".sweep");
    this.codec = codec;
  }

  @Override
  public synchronized void save(SweepRecord sweep) {
    records.write(sweep.id(), codec.encode(sweep), "sweep");
  }

  @Override
  public synchronized List<SweepRecord> loadAll() {
    return records.readAll(codec::decode);
  }
}
