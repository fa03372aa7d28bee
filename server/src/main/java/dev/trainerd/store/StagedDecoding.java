package dev.trainerd.store;

import dev.trainerd.data.DecodedFile;
import dev.trainerd.data.FileDecoder;
import dev.trainerd.data.NamedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Runs a parser's {@link FileDecoder} on a staged file on a background thread while the file is
 * still being written, so that the inflating and decoding of a large upload overlap its transfer
 * instead of starting after its last byte. The thread reads the staged file as it grows, up to what
 * the writer has {@linkplain #published published}: the upload never waits for it, and nothing is
 * buffered in between.
 *
 * <p>What the decoder allocates comes from a budget shared by all uploads: when the decoder is
 * refused memory (a gzip bomb or a header declaring huge arrays, say), or the content is invalid,
 * there is simply no early result, and the parse at commit reads the file itself as it would have
 * without this, reporting any problem as it always does.
 *
 * <p>{@link #stop()} ends the thread, closes its file and returns its memory reservation; the
 * session calls it when the upload is committed, aborted or fails, so no thread or open file
 * outlives the upload.
 */
final class StagedDecoding implements NamedFile.EarlyDecode {

  /** Thrown inside the thread to end it when the decoding is stopped. */
  private static final class Stopped extends IOException {
    Stopped() {
      super("the upload ended");
    }
  }

  private final Path source;
  private final FileDecoder decoder;
  private final MemoryBudget budget;
  private final Thread thread;
  private final Object lock = new Object();

  // Guarded by lock.
  private long published;
  private boolean sourceComplete;
  private boolean stopped;
  private long reservedBytes;
  private DecodedFile result;

  private StagedDecoding(Path source, FileDecoder decoder, MemoryBudget budget, String threadName) {
    this.source = source;
    this.decoder = decoder;
    this.budget = budget;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  /** Starts decoding {@code source}, a staged file that is still being written. */
  static StagedDecoding start(Path source, FileDecoder decoder, MemoryBudget budget, String threadName) {
    StagedDecoding decoding = new StagedDecoding(source, decoder, budget, threadName);
    decoding.thread.start();
    return decoding;
  }

  /** The writer has put the first {@code bytes} bytes of the file on disk. */
  void published(long bytes) {
    synchronized (lock) {
      published = bytes;
      lock.notifyAll();
    }
  }

  /** The file is complete: every byte was {@linkplain #published published}. */
  void sourceComplete() {
    synchronized (lock) {
      sourceComplete = true;
      lock.notifyAll();
    }
  }

  /**
   * Waits for the decoding to end and returns its result, if it succeeded. Empty while the file is
   * not {@linkplain #sourceComplete complete} (a result would be of part of it), after {@link
   * #stop()}, and for an interrupted caller (who keeps the interrupt).
   */
  @Override
  public Optional<DecodedFile> result() {
    synchronized (lock) {
      if (!sourceComplete || stopped) {
        return Optional.empty();
      }
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    synchronized (lock) {
      return stopped ? Optional.empty() : Optional.ofNullable(result);
    }
  }

  /**
   * Ends the decoding, waits for its thread and returns its memory reservation (what it decoded
   * belongs to whoever took the result); idempotent.
   */
  void stop() {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    synchronized (lock) {
      result = null;
      budget.release(reservedBytes);
      reservedBytes = 0;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the decoding's thread is still running. */
  boolean running() {
    return thread.isAlive();
  }

  private void run() {
    DecodedFile decoded = null;
    try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ)) {
      decoded = decoder.decode(new GrowingFile(channel), this::reserve);
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      // Invalid content, memory refused, stopped, or a read failure: no early result; the parse at
      // commit reads the file and reports what is wrong with it.
      decoded = null;
    } finally {
      synchronized (lock) {
        result = stopped ? null : decoded;
      }
    }
  }

  private boolean reserve(long bytes) {
    synchronized (lock) {
      if (stopped || !budget.tryReserve(bytes)) {
        return false;
      }
      reservedBytes += bytes;
      return true;
    }
  }

  /**
   * The staged file as far as it is published. Reads wait for more until the file is complete and
   * return as much as a read of the finished file would, so the decoder sees what it would see
   * reading the file from disk.
   */
  private final class GrowingFile extends InputStream {
    private final FileChannel channel;
    private long position;

    GrowingFile(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      long ready = await(len);
      if (ready == 0) {
        return -1;
      }
      ByteBuffer into = ByteBuffer.wrap(b, off, (int) Math.min(len, ready));
      int total = 0;
      while (into.hasRemaining()) {
        int n = channel.read(into, position);
        if (n < 0) {
          throw new IOException("the staged file is shorter than what was written to it");
        }
        position += n;
        total += n;
      }
      return total;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = Math.min(Math.max(n, 0), await(Math.max(n, 0)));
      position += skipped;
      return skipped;
    }

    /** As for the finished file: the bytes left, 0 only at its end. */
    @Override
    public int available() throws IOException {
      return (int) Math.min(await(1), Integer.MAX_VALUE);
    }

    /** Waits until {@code wanted} bytes are published past the position, or the file is complete. */
    private long await(long wanted) throws IOException {
      synchronized (lock) {
        while (!stopped && !sourceComplete && published - position < wanted) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the decoding was interrupted");
          }
        }
        if (stopped) {
          throw new Stopped();
        }
        return published - position;
      }
    }
  }
}
