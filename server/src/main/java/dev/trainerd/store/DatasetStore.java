package dev.trainerd.store;

import dev.trainerd.data.DatasetFile;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.DatasetSummary;
import dev.trainerd.data.ExamplesFile;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.Page;
import dev.trainerd.ml.Examples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data sets: uploads are staged, validated by parsing and stored in a {@link DatasetRepository}
 * (the local data directory, or a cluster's database and object store), content-addressed by
 * SHA-256. The id is derived from the content hash and the parse options, so the same bytes
 * uploaded with the same options are one dataset, and the same bytes with other options (another
 * label column) are another dataset sharing the stored content.
 *
 * <p>Uploads stage under {@code staging/<uuid>/<n>}, emptied when the store opens; nothing of an
 * upload is visible before its commit. Files are decoded while they arrive where the format allows
 * ({@link StagedDecoding}), so that the parse at commit need not start from the first byte. Decoded
 * data sets are cached between loads.
 *
 * <p>Thread-safe: uploads stage and validate in parallel; the repository serialises commits.
 */
public final class DatasetStore {

  private static final Logger log = LoggerFactory.getLogger(DatasetStore.class);

  /** Longest display name accepted. */
  public static final int MAX_DISPLAY_NAME_LENGTH = 256;

  /**
   * Uploads in progress may hold up to this fraction of the heap ({@code 1/4}) in what they decode
   * while their files arrive; a file that needs more is parsed from disk at commit, as without it.
   */
  public static final int EARLY_DECODE_HEAP_FRACTION = 4;

  /** Default upload limit: 1 GiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;

  private final DatasetRepository repository;
  private final Path staging;
  private final long maxUploadBytes;
  private final DatasetParsers parsers;
  private final DatasetUsage usage;
  private final Clock clock;
  private final DecodedCache decoded;
  private final MemoryBudget earlyDecodeBudget;
  private final AtomicInteger earlyDecodes = new AtomicInteger();

  private DatasetStore(
      DatasetRepository repository, Path staging, long maxUploadBytes, DatasetParsers parsers, DatasetUsage usage,
      Clock clock, long decodedCacheBytes, long earlyDecodeBytes) {
    this.repository = repository;
    this.earlyDecodeBudget = new MemoryBudget(earlyDecodeBytes);
    this.decoded = new DecodedCache(decodedCacheBytes);
    this.staging = staging;
    this.maxUploadBytes = maxUploadBytes;
    this.parsers = parsers;
    this.usage = usage;
    this.clock = clock;
  }

  /**
   * Opens (creating if needed) the store in {@code root}: removes what unfinished uploads left,
   * reads every record, and removes blobs that no record names.
   *
   * @param root the store's folder, for example {@code <data-dir>/datasets}
   * @param maxUploadBytes the most bytes one upload may send, over all its files
   * @param parsers the formats the store can validate and load
   * @param usage asked before a delete; {@link DatasetUsage#NONE} when nothing can use datasets
   * @param clock for create times
   */
  public static DatasetStore open(
      Path root, long maxUploadBytes, DatasetParsers parsers, DatasetUsage usage, Clock clock)
      throws IOException {
    return open(root, maxUploadBytes, parsers, usage, clock, 0);
  }

  /**
   * As {@link #open(Path, long, DatasetParsers, DatasetUsage, Clock)}, keeping up to {@code
   * decodedCacheBytes} of decoded data sets in memory between loads.
   */
  public static DatasetStore open(
      Path root, long maxUploadBytes, DatasetParsers parsers, DatasetUsage usage, Clock clock, long decodedCacheBytes)
      throws IOException {
    return open(
        LocalDatasetRepository.open(root), root.resolve("staging"), maxUploadBytes, parsers, usage, clock,
        decodedCacheBytes);
  }

  /**
   * A store on any repository (a cluster's shared one, for example).
   *
   * @param staging a local folder for uploads in progress; emptied now
   */
  public static DatasetStore open(
      DatasetRepository repository, Path staging, long maxUploadBytes, DatasetParsers parsers, DatasetUsage usage,
      Clock clock, long decodedCacheBytes)
      throws IOException {
    return open(
        repository, staging, maxUploadBytes, parsers, usage, clock, decodedCacheBytes,
        Runtime.getRuntime().maxMemory() / EARLY_DECODE_HEAP_FRACTION);
  }

  /**
   * As above, with {@code earlyDecodeBytes} for what files decode to while they are uploaded, over
   * all uploads in progress.
   */
  static DatasetStore open(
      DatasetRepository repository, Path staging, long maxUploadBytes, DatasetParsers parsers, DatasetUsage usage,
      Clock clock, long decodedCacheBytes, long earlyDecodeBytes)
      throws IOException {
    if (maxUploadBytes <= 0) {
      throw new IllegalArgumentException("maxUploadBytes must be positive");
    }
    AtomicFiles.deleteRecursively(staging);
    Files.createDirectories(staging);
    return new DatasetStore(
        repository, staging, maxUploadBytes, parsers, usage, clock, decodedCacheBytes, earlyDecodeBytes);
  }

  /**
   * Starts an upload. Options are validated now; the content at commit.
   *
   * @param displayName a name for people; empty allowed
   * @param options how the content is to be parsed
   */
  public UploadSession beginUpload(String displayName, DatasetOptions options) {
    requireDisplayName(displayName);
    options.validated();
    if (options.format() == DatasetFormat.SYNTHETIC) {
      throw TrainerdException.InvalidArgument.of(
          "format", "synthetic datasets are created from a generator spec, not uploaded");
    }
    return newSession(displayName, options, "", maxUploadBytes);
  }

  /**
   * Stores examples made by a generator (the upload size limit does not apply: the generator spec
   * is validated instead). The same examples stored twice are one dataset.
   *
   * @param displayName a name for people
   * @param description what made the examples, such as the generator spec in words
   */
  public DatasetMetadata storeExamples(String displayName, String description, Examples examples) {
    requireDisplayName(displayName);
    try (UploadSession session =
        newSession(
            displayName,
            DatasetOptions.DEFAULTS.withFormat(DatasetFormat.SYNTHETIC),
            description,
            Long.MAX_VALUE)) {
      session.startFile("examples.tdex");
      ExamplesFile.write(examples, session.asOutputStream());
      return session.commit();
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_WRITE_FAILED", "could not store the examples", e);
    }
  }

  private static void requireDisplayName(String displayName) {
    if (displayName != null && displayName.length() > MAX_DISPLAY_NAME_LENGTH) {
      throw TrainerdException.InvalidArgument.of(
          "display_name", "must be at most " + MAX_DISPLAY_NAME_LENGTH + " characters");
    }
  }

  private UploadSession newSession(
      String displayName, DatasetOptions options, String description, long limit) {
    Path folder = staging.resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new TrainerdException.Internal("UPLOAD_WRITE_FAILED", "could not stage the upload", e);
    }
    return new UploadSession(this, displayName, options, description, folder, limit);
  }

  /**
   * Starts decoding a staged file while it arrives, when the format's parser has a decoder for a
   * file starting with {@code head}; null when it has none.
   */
  StagedDecoding startDecoding(DatasetFormat requested, byte[] head, Path stagedFile) {
    return parsers
        .fileDecoder(requested, head)
        .map(decoder -> StagedDecoding.start(
            stagedFile, decoder, earlyDecodeBudget, DECODE_THREAD_PREFIX + earlyDecodes.incrementAndGet()))
        .orElse(null);
  }

  /** Names of the threads that decode files while they are uploaded start with this. */
  static final String DECODE_THREAD_PREFIX = "trainerd-upload-decode-";

  /** Bytes that uploads in progress hold reserved for what they decode early. */
  long earlyDecodeBytesReserved() {
    return earlyDecodeBudget.reserved();
  }

  /**
   * Validates the staged files and makes them a visible dataset (or finds the existing one).
   *
   * @param named the staged files as the parser reads them, in the same order
   */
  DatasetMetadata commit(
      String displayName, DatasetOptions options, String description, List<DatasetRepository.Staged> staged,
      List<NamedFile> named)
      throws IOException {
    DatasetFormat format = parsers.resolve(options.format(), named);
    DatasetOptions resolved = options.withFormat(format);
    String contentHash = contentHash(staged);
    String id =
        DatasetIds.fromDigest(
            sha256((contentHash + "\n" + resolved.canonicalForm()).getBytes(StandardCharsets.UTF_8)));
    // The same bytes with the same options were validated when first stored: no second parse.
    Optional<DatasetMetadata> existing = repository.find(id);
    if (existing.isPresent()) {
      return existing.get();
    }
    LoadedDataset loaded = parsers.parser(format).parse(named, resolved);
    DatasetSummary summary = DatasetSummary.of(loaded);
    DatasetMetadata metadata =
        new DatasetMetadata(
            id,
            displayName,
            format,
            staged.stream().map(s -> new DatasetFile(s.name(), s.bytes(), s.sha256())).toList(),
            contentHash,
            resolved,
            summary,
            description,
            Instant.now(clock));
    DatasetMetadata stored = repository.commit(metadata, staged);
    if (stored == metadata) {
      // The parse that validated the upload is the decode the first job would repeat.
      decoded.offer(id, loaded);
      log.info("Stored dataset {} ({} rows, {} bytes)", metadata.name(), summary.rows(), metadata.bytes());
    }
    return stored;
  }

  /**
   * Hashes 4 MiB in memory as an upload's chunks are hashed, so that the JIT has compiled the
   * hashing before the first upload of a fresh server: cold, hashing the read-only chunk buffers
   * the gRPC layer hands over ran at a fifth of its later speed (a quarter of a second for the 26 MB
   * Fashion-MNIST images). Nothing is stored; meant for a background thread at start-up.
   */
  public void warmUp() {
    MessageDigest digest = sha256Digest();
    // A small buffer hashed many times: the same compiled code, little memory touched.
    ByteBuffer chunk = ByteBuffer.wrap(new byte[1 << 16]).asReadOnlyBuffer();
    for (int i = 0; i < 64; i++) {
      digest.update(chunk.duplicate());
    }
    digest.digest();
  }

  /** The dataset with this id, if stored. The id is validated first. */
  public Optional<DatasetMetadata> find(String id) {
    DatasetIds.requireValid(id, "name");
    return repository.find(id);
  }

  /**
   * The dataset with this id.
   *
   * @throws TrainerdException.NotFound when no such dataset is stored
   */
  public DatasetMetadata get(String id) {
    return find(id)
        .orElseThrow(
            () -> new TrainerdException.NotFound("DATASET_NOT_FOUND", "datasets/" + id + " does not exist"));
  }

  /**
   * One page of datasets, newest first, paged as every listing of the API is ({@link Page#of}):
   * a token stays valid when datasets are added or deleted meanwhile.
   *
   * @param pageSize 0 for {@link Page#DEFAULT_SIZE}, at most {@link Page#MAX_SIZE}
   * @param pageToken empty for the first page, else a token from the previous page
   */
  public Page<DatasetMetadata> list(int pageSize, String pageToken) {
    List<DatasetMetadata> all = repository.all();
    return Page.of(all, m -> new Page.Key(m.createTime(), m.id()), pageSize, pageToken, "");
  }

  /**
   * Deletes a dataset and the blobs no other dataset uses.
   *
   * @throws TrainerdException.NotFound when no such dataset is stored
   * @throws TrainerdException.FailedPrecondition when {@link DatasetUsage} says it is in use
   */
  public void delete(String id) {
    DatasetIds.requireValid(id, "name");
    DatasetMetadata m = get(id);
    Optional<String> user = usage.usedBy(id);
    if (user.isPresent()) {
      throw new TrainerdException.FailedPrecondition(
          "DATASET_IN_USE", m.name() + " is used by " + user.get() + "; delete or finish that first");
    }
    try {
      if (!repository.delete(id)) {
        throw new TrainerdException.NotFound("DATASET_NOT_FOUND", "datasets/" + id + " does not exist");
      }
      decoded.invalidate(id);
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_DELETE_FAILED", "could not delete " + m.name(), e);
    }
    log.info("Deleted dataset {}", m.name());
  }

  /** Bytes of every stored data set's files (a blob shared by two data sets counts twice). */
  public long totalBytes() {
    return repository.totalBytes();
  }

  /**
   * Reads a stored dataset for training or prediction. Memory: the decoded data (see {@link
   * dev.trainerd.data.csv.CsvParser} and the format parsers), nothing else is kept.
   *
   * @throws TrainerdException.NotFound when no such dataset is stored
   */
  public LoadedDataset load(String id) {
    DatasetMetadata m = get(id);
    return decoded.get(id, () -> decode(m));
  }

  private LoadedDataset decode(DatasetMetadata m) {
    try (DatasetRepository.Contents contents = repository.open(m)) {
      return parsers.parser(m.format()).parse(contents.files(), m.options());
    } catch (NoSuchFileException e) {
      throw new TrainerdException.NotFound("DATASET_NOT_FOUND", m.name() + " was deleted");
    } catch (IOException e) {
      throw new TrainerdException.Internal("DATASET_READ_FAILED", "could not read " + m.name(), e);
    } catch (TrainerdException.Internal e) {
      if (e.getCause() instanceof NoSuchFileException || e.getCause() instanceof UncheckedIOException) {
        throw new TrainerdException.NotFound("DATASET_NOT_FOUND", m.name() + " was deleted");
      }
      throw e;
    }
  }

  /** Called by a session whose staging folder could not be removed; the next open removes it. */
  void stagingLeftBehind(Path folder, IOException e) {
    log.warn("Could not remove staging folder {}: {}", folder, e.getMessage());
  }

  /** One file: its hash. Several: the hash of their {@code sha256sum} listing sorted by name. */
  private static String contentHash(List<DatasetRepository.Staged> staged) {
    if (staged.size() == 1) {
      return staged.get(0).sha256();
    }
    StringBuilder listing = new StringBuilder();
    staged.stream()
        .sorted(Comparator.comparing(DatasetRepository.Staged::name))
        .forEach(s -> listing.append(s.sha256()).append("  ").append(s.name()).append('\n'));
    return HexFormat.of().formatHex(sha256(listing.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] sha256(byte[] bytes) {
    return sha256Digest().digest(bytes);
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

}
