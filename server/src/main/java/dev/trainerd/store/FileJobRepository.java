package dev.trainerd.store;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.JobCodec;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobRepository;
import dev.trainerd.jobs.TrainingJobRecord;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Jobs on the local disk: {@code jobs/{id}.job} holds the record (replaced atomically on every
 * state change), {@code jobs/{id}.events} the history as length- and CRC-framed entries appended
 * in order. A torn last entry (a crash mid-append) fails its CRC and is dropped on load.
 */
public final class FileJobRepository implements JobRepository {
  private static final String EVENTS_SUFFIX = ".events";

  private final RecordFolder records;
  private final Path dir;
  private final JobCodec codec;
  private final Map<String, FileChannel> openLogs = new HashMap<>();

  public FileJobRepository(Path dataDir, JobCodec codec) {
    this.records = new RecordFolder(dataDir, "jobs", ".job");
    this.dir = records.dir();
    this.codec = codec;
  }

  @Override
  public synchronized void save(TrainingJobRecord job) {
    records.write(job.id(), codec.encodeJob(job), "job");
    if (job.state().isTerminal()) {
      closeLog(job.id());
    }
  }

  @Override
  public synchronized void appendEvents(String jobId, List<JobEvent> events) {
    try {
      FileChannel log = openLogs.get(jobId);
      if (log == null) {
        log = FileChannel.open(eventsFile(jobId), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        openLogs.put(jobId, log);
      }
      // All the events' frames in one write: a cross-validation epoch's folds are one append.
      List<byte[]> payloads = new ArrayList<>(events.size());
      int size = 0;
      for (JobEvent event : events) {
        byte[] payload = codec.encodeEvent(event);
        payloads.add(payload);
        size += 12 + payload.length;
      }
      ByteBuffer frames = ByteBuffer.allocate(size);
      for (byte[] payload : payloads) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        frames.putInt(payload.length).putLong(crc.getValue()).put(payload);
      }
      frames.flip();
      while (frames.hasRemaining()) {
        log.write(frames);
      }
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not record job history", e);
    }
  }

  @Override
  public synchronized void flush() {
    for (FileChannel log : openLogs.values()) {
      try {
        log.force(false);
      } catch (IOException e) {
        throw new TrainerdException.Internal("STORAGE_FAILED", "could not sync job history", e);
      }
    }
  }

  @Override
  public synchronized List<TrainingJobRecord> loadAll() {
    return records.readAll(codec::decodeJob);
  }

  @Override
  public synchronized List<JobEvent> loadEvents(String jobId) {
    List<JobEvent> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(eventsFile(jobId));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
      while (true) {
        int length;
        long expected;
        byte[] payload;
        try {
          length = in.readInt();
          expected = in.readLong();
          if (length < 0 || length > (64 << 20)) {
            break;
          }
          payload = in.readNBytes(length);
        } catch (EOFException end) {
          break;
        }
        CRC32 crc = new CRC32();
        crc.update(payload);
        if (payload.length != length || crc.getValue() != expected) {
          break;
        }
        out.add(codec.decodeEvent(payload));
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read history of job " + jobId, e);
    }
    return out;
  }

  @Override
  public synchronized void delete(String jobId) {
    closeLog(jobId);
    try {
      Files.deleteIfExists(eventsFile(jobId));
      Files.deleteIfExists(records.file(jobId));
      AtomicFiles.syncDirectory(dir);
    } catch (IOException e) {
      throw new TrainerdException.Internal("STORAGE_FAILED", "could not delete job " + jobId, e);
    }
  }

  private void closeLog(String jobId) {
    FileChannel log = openLogs.remove(jobId);
    if (log != null) {
      try {
        log.force(false);
        log.close();
      } catch (IOException e) {
        throw new TrainerdException.Internal("STORAGE_FAILED", "could not sync job history", e);
      }
    }
  }

  private Path eventsFile(String id) {
    return dir.resolve(Ids.requireValid(id) + EVENTS_SUFFIX);
  }
}
