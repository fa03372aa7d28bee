package dev.trainerd.store;

import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One dataset upload in progress: named files whose bytes arrive in chunks, then {@link #commit()}
 * or {@link #abort()}. Chunks go straight to a private staging folder while they are hashed, so
 * nothing but the current chunk is held in memory. Where the format's parser has a {@link
 * dev.trainerd.data.FileDecoder}, each file is also decoded on a background thread while it
 * arrives ({@link StagedDecoding}, within the store's memory budget for that), so that commit
 * need not start from the first byte. Nothing of the upload is visible until commit
 * succeeds; any failure (size limit, invalid content, I/O) removes the staged files. Closing a
 * session that was not committed aborts it.
 *
 * <p>Calls must not overlap (a gRPC stream delivers messages one at a time); the methods are
 * synchronized so overlapping calls are safe, only not useful.
 */
public final class UploadSession implements AutoCloseable {

  /** Name given to the file when bytes arrive before any {@link #startFile(String)}. */
  public static final String DEFAULT_FILE_NAME = "data.csv";

  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  private enum State {
    OPEN,
    COMMITTED,
    ABORTED
  }

  /** A file being received, then received. */
  static final class StagedFile {
    final String name;
    final Path path;
    final MessageDigest digest;
    FileChannel channel;
    long bytes;
    String sha256;
    /** The first bytes, to choose a decoder by (see {@link DatasetParsers#fileDecoder}). */
    final byte[] head = new byte[4];
    /** Whether a decoder was looked for, once the head was complete. */
    boolean decoderChosen;
    /** Set while the file is decoded as it arrives. */
    StagedDecoding decoding;

    StagedFile(String name, Path path) throws IOException {
      this.name = name;
      this.path = path;
      this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every Java platform", e);
      }
    }

    /** Keeps the first bytes of the file from a chunk about to be appended. */
    void noteHead(ByteBuffer chunk) {
      for (int i = 0; bytes + i < head.length && i < chunk.remaining(); i++) {
        head[(int) bytes + i] = chunk.get(chunk.position() + i);
      }
    }

    void finish() throws IOException {
      if (channel != null) {
        channel.force(true);
        channel.close();
        channel = null;
        sha256 = HexFormat.of().formatHex(digest.digest());
        if (decoding != null) {
          decoding.sourceComplete();
        }
      }
    }

    /** What a parser reads of this file. */
    NamedFile named() {
      return new NamedFile(name, path, decoding == null ? NamedFile.EarlyDecode.NONE : decoding);
    }

    /** Closes the file and ends its decoding; idempotent. */
    void release() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // The staging folder is removed next either way.
        }
        channel = null;
      }
      if (decoding != null) {
        decoding.stop();
      }
    }
  }

  private final DatasetStore store;
  private final String displayName;
  private final DatasetOptions options;
  private final String description;
  private final Path folder;
  private final long maxBytes;
  private final List<StagedFile> files = new ArrayList<>();
  private StagedFile current;
  private long totalBytes;
  private State state = State.OPEN;

  UploadSession(
      DatasetStore store,
      String displayName,
      DatasetOptions options,
      String description,
      Path folder,
      long maxBytes) {
    this.store = store;
    this.displayName = displayName;
    this.options = options;
    this.description = description;
    this.folder = folder;
    this.maxBytes = maxBytes;
  }

  /**
   * Starts the next file of the dataset; the previous one is complete. Names are 1 to 255
   * characters of {@code A-Z a-z 0-9 . _ -}, not starting with a dot, unique in the dataset.
   */
  public synchronized void startFile(String name) {
    requireOpen();
    if (name == null || !FILE_NAME.matcher(name).matches()) {
      fail(
          TrainerdException.InvalidArgument.of(
              "file_name",
              "'" + name + "' is not a file name: 1-255 characters A-Z a-z 0-9 . _ -, no leading dot"));
    }
    for (StagedFile f : files) {
      if (f.name.equals(name)) {
        fail(TrainerdException.InvalidArgument.of("file_name", "file '" + name + "' was already sent"));
      }
    }
    try {
      if (current != null) {
        current.finish();
      }
      current = new StagedFile(name, folder.resolve(Integer.toString(files.size())));
      files.add(current);
    } catch (IOException e) {
      fail(new TrainerdException.Internal("UPLOAD_WRITE_FAILED", "could not stage the upload", e));
    }
  }

  /** Appends bytes to the current file. */
  public synchronized void write(byte[] bytes, int offset, int length) {
    write(ByteBuffer.wrap(bytes, offset, length));
  }

  /** Appends bytes to the current file. */
  public synchronized void write(byte[] bytes) {
    write(ByteBuffer.wrap(bytes));
  }

  /**
   * Appends the buffer's remaining bytes to the current file.
   *
   * @throws TrainerdException.ResourceExhausted when the upload would exceed the size limit (the
   *     session is then aborted)
   */
  public synchronized void write(ByteBuffer chunk) {
    requireOpen();
    if (totalBytes + chunk.remaining() > maxBytes) {
      fail(
          new TrainerdException.ResourceExhausted(
              "UPLOAD_TOO_LARGE",
              "the upload exceeds the server's limit of " + maxBytes + " bytes"));
    }
    if (current == null) {
      startFile(DEFAULT_FILE_NAME);
    }
    try {
      current.digest.update(chunk.duplicate());
      current.noteHead(chunk);
      int length = chunk.remaining();
      while (chunk.hasRemaining()) {
        current.channel.write(chunk);
      }
      current.bytes += length;
      totalBytes += length;
      if (!current.decoderChosen && current.bytes >= current.head.length) {
        current.decoderChosen = true;
        current.decoding = store.startDecoding(options.format(), current.head, current.path);
      }
      if (current.decoding != null) {
        current.decoding.published(current.bytes);
      }
    } catch (IOException e) {
      fail(new TrainerdException.Internal("UPLOAD_WRITE_FAILED", "could not stage the upload", e));
    }
  }

  /** The current file as a stream; closing it does not end the session. */
  public OutputStream asOutputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        UploadSession.this.write(new byte[] {(byte) b});
      }

      @Override
      public void write(byte[] b, int off, int len) {
        UploadSession.this.write(b, off, len);
      }
    };
  }

  /** Bytes received so far, over all files. */
  public synchronized long bytesReceived() {
    return totalBytes;
  }

  /**
   * Validates and stores the dataset. Returns the stored dataset: a new one, or the existing one
   * when the same content was already stored with the same options (its display name is kept).
   *
   * @throws TrainerdException.InvalidArgument when the content is invalid; nothing is stored
   */
  public synchronized DatasetMetadata commit() {
    requireOpen();
    if (files.isEmpty()) {
      fail(TrainerdException.InvalidArgument.of("files", "no data was uploaded"));
    }
    try {
      current.finish();
      List<DatasetRepository.Staged> staged = new ArrayList<>();
      List<NamedFile> named = new ArrayList<>();
      for (StagedFile f : files) {
        staged.add(new DatasetRepository.Staged(f.name, f.path, f.bytes, f.sha256));
        named.add(f.named());
      }
      DatasetMetadata stored = store.commit(displayName, options, description, staged, named);
      state = State.COMMITTED;
      return stored;
    } catch (IOException e) {
      fail(new TrainerdException.Internal("UPLOAD_WRITE_FAILED", "could not store the upload", e));
      throw new AssertionError("unreachable");
    } catch (RuntimeException e) {
      fail(e);
      throw new AssertionError("unreachable");
    } finally {
      removeStaging();
    }
  }

  /** Discards everything received; idempotent. */
  public synchronized void abort() {
    if (state == State.OPEN) {
      state = State.ABORTED;
      removeStaging();
    }
  }

  /** Aborts the upload unless it was committed. */
  @Override
  public void close() {
    abort();
  }

  private void requireOpen() {
    if (state != State.OPEN) {
      throw new TrainerdException.FailedPrecondition(
          "UPLOAD_CLOSED", "the upload was already " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** Aborts and throws {@code failure}. */
  private void fail(RuntimeException failure) {
    state = State.ABORTED;
    removeStaging();
    throw failure;
  }

  private void removeStaging() {
    for (StagedFile f : files) {
      f.release();
    }
    try {
      AtomicFiles.deleteRecursively(folder);
    } catch (IOException e) {
      store.stagingLeftBehind(folder, e);
    }
  }
}
