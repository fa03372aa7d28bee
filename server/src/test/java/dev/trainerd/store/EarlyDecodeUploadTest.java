package dev.trainerd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.IdxDatasetParser;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.idx.IdxReader;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads whose files are decoded while they arrive ({@link StagedDecoding}): the same result as
 * the parse from disk, the same errors, nothing left behind, memory within the budget.
 */
class EarlyDecodeUploadTest {

  @TempDir Path root;
  @TempDir Path scratch;

  /** Parses from disk, the path an upload without early decodes takes: counted. */
  private final AtomicInteger diskParses = new AtomicInteger();

  private final DatasetParsers parsers =
      new DatasetParsers(
          List.of(
              new CsvParser(),
              new IdxDatasetParser(
                  (images, imagesField, labels, labelsField) -> {
                    diskParses.incrementAndGet();
                    return IdxReader.read(images, imagesField, labels, labelsField);
                  })));

  private DatasetStore store;

  @BeforeEach
  void open() throws IOException {
    store = open(root, 1 << 30);
  }

  private DatasetStore open(Path folder, long earlyDecodeBytes) throws IOException {
    return DatasetStore.open(
        LocalDatasetRepository.open(folder), folder.resolve("staging"), 1 << 24, parsers, DatasetUsage.NONE,
        Clock.systemUTC(), 1 << 26, earlyDecodeBytes);
  }

  /** {@code count} images of {@code side x side} pixels, each pixel a function of its place. */
  private static byte[] images(int count, int side) {
    ByteBuffer b = ByteBuffer.allocate(16 + count * side * side);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(side).putInt(side);
    while (b.hasRemaining()) {
      b.put((byte) (b.position() * 7));
    }
    return b.array();
  }

  private static byte[] labels(int count) {
    ByteBuffer b = ByteBuffer.allocate(8 + count);
    b.putInt(IdxReader.LABELS_MAGIC).putInt(count);
    while (b.hasRemaining()) {
      b.put((byte) (b.position() % 10));
    }
    return b.array();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  /** Sends the files in chunks of {@code chunk} bytes, as a stream would, and commits. */
  private static DatasetMetadata upload(DatasetStore into, DatasetFormat format, int chunk, Object... nameThenBytes) {
    try (UploadSession session = into.beginUpload("idx", DatasetOptions.DEFAULTS.withFormat(format))) {
      send(session, chunk, nameThenBytes);
      return session.commit();
    }
  }

  private static void send(UploadSession session, int chunk, Object... nameThenBytes) {
    for (int f = 0; f < nameThenBytes.length; f += 2) {
      session.startFile((String) nameThenBytes[f]);
      byte[] bytes = (byte[]) nameThenBytes[f + 1];
      for (int i = 0; i < bytes.length; i += chunk) {
        session.write(bytes, i, Math.min(chunk, bytes.length - i));
      }
    }
  }

  /** What the parse from disk makes of the files, or the exception it throws. */
  private Object parsedFromDisk(Object... nameThenBytes) throws IOException {
    Path dir = Files.createTempDirectory(scratch, "disk");
    List<NamedFile> files = new ArrayList<>();
    for (int f = 0; f < nameThenBytes.length; f += 2) {
      String name = (String) nameThenBytes[f];
      files.add(new NamedFile(name, Files.write(dir.resolve(name), (byte[]) nameThenBytes[f + 1])));
    }
    try {
      return parsers.parser(DatasetFormat.IDX).parse(files, DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IDX));
    } catch (TrainerdException e) {
      return e;
    }
  }

  private static List<Thread> decodeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(DatasetStore.DECODE_THREAD_PREFIX) && t.isAlive())
        .toList();
  }

  private void assertNothingLeftBehind() throws IOException {
    assertThat(decodeThreads()).isEmpty();
    assertThat(store.earlyDecodeBytesReserved()).isZero();
    try (Stream<Path> staged = Files.walk(root.resolve("staging"))) {
      assertThat(staged.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  private static void assertSameExamples(LoadedDataset actual, LoadedDataset expected) {
    Examples a = ((LoadedDataset.Dense) actual).examples();
    Examples e = ((LoadedDataset.Dense) expected).examples();
    assertThat(a.count()).isEqualTo(e.count());
    assertThat(a.featureCount()).isEqualTo(e.featureCount());
    assertThat(Arrays.equals(a.features(), e.features())).isTrue();
    assertThat(((Examples.Labels.Classes) a.labels()).values())
        .containsExactly(((Examples.Labels.Classes) e.labels()).values());
    assertThat(((Examples.Labels.Classes) a.labels()).classCount())
        .isEqualTo(((Examples.Labels.Classes) e.labels()).classCount());
    assertThat(((LoadedDataset.Dense) actual).classNames()).isEqualTo(((LoadedDataset.Dense) expected).classNames());
  }

  @Test
  void gzippedIdxIsDecodedWhileItArrivesIntoWhatTheParseFromDiskGives() throws IOException {
    byte[] images = gzip(images(300, 28));
    byte[] labels = gzip(labels(300));
    Object[] files = {"train-images.gz", images, "train-labels.gz", labels};

    DatasetMetadata stored = upload(store, DatasetFormat.IDX, 1000, files);

    assertThat(diskParses).as("commit paired the early decodes").hasValue(0);
    assertThat(stored.summary().rows()).isEqualTo(300);
    assertThat(stored.summary().featureCount()).isEqualTo(28 * 28);
    assertSameExamples(store.load(stored.id()), (LoadedDataset) parsedFromDisk(files));
    assertNothingLeftBehind();
  }

  @Test
  void rawIdxInAnyOrderAndUnderAutoIsDecodedEarlyToo() throws IOException {
    Object[] files = {"l", labels(50), "i", images(50, 5)};
    DatasetMetadata stored = upload(store, DatasetFormat.AUTO, 7, files);
    assertThat(stored.format()).isEqualTo(DatasetFormat.IDX);
    assertThat(diskParses).hasValue(0);
    assertSameExamples(store.load(stored.id()), (LoadedDataset) parsedFromDisk(files));
    assertNothingLeftBehind();
  }

  @Test
  void knownContentIsNeitherParsedNorWaitedFor() throws IOException {
    Object[] files = {"i.gz", gzip(images(100, 10)), "l.gz", gzip(labels(100))};
    DatasetMetadata first = upload(store, DatasetFormat.IDX, 512, files);
    DatasetMetadata again = upload(store, DatasetFormat.IDX, 512, files);
    assertThat(again).isEqualTo(first);
    assertThat(diskParses).hasValue(0);
    assertNothingLeftBehind();
  }

  @Test
  void invalidContentGivesTheViolationsOfTheParseFromDiskAndLeavesNothing() throws IOException {
    byte[] images = gzip(images(40, 6));
    byte[] labels = gzip(labels(40));
    byte[] truncated = Arrays.copyOf(images, images.length / 2);
    byte[] corrupt = images.clone();
    corrupt[images.length / 2] ^= 0x55;
    List<Object[]> cases =
        List.of(
            new Object[] {"i.gz", truncated, "l.gz", labels},
            new Object[] {"i.gz", corrupt, "l.gz", labels},
            new Object[] {"i.gz", images, "l.gz", gzip(labels(39))},
            new Object[] {"i.gz", images, "j.gz", images},
            new Object[] {"i.gz", images, "t", new byte[] {0x1f, (byte) 0x8b, 8, 0}},
            new Object[] {"i.gz", images, "l.csv", "a,b\n1,2\n".getBytes()},
            new Object[] {"i.gz", images});
    for (Object[] files : cases) {
      Object expected = parsedFromDisk(files);
      assertThat(expected).isInstanceOf(TrainerdException.InvalidArgument.class);
      Throwable thrown = catchThrowable(() -> upload(store, DatasetFormat.IDX, 300, files));
      assertThat(thrown)
          .isInstanceOf(TrainerdException.InvalidArgument.class)
          .hasMessage(((Throwable) expected).getMessage());
      assertThat(((TrainerdException.InvalidArgument) thrown).violations())
          .isEqualTo(((TrainerdException.InvalidArgument) expected).violations());
      assertNothingLeftBehind();
    }
    assertThat(store.list(0, "").items()).isEmpty();
  }

  @Test
  void anAbortedOrFailedUploadStopsItsDecodingThread() throws IOException {
    byte[] images = gzip(images(200, 28));
    UploadSession aborted = store.beginUpload("half", DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IDX));
    aborted.startFile("i.gz");
    aborted.write(images, 0, images.length / 2);
    // Half a file: the decoding waits for the rest.
    assertThat(decodeThreads()).hasSize(1);
    aborted.abort();
    assertNothingLeftBehind();

    DatasetStore small = open(scratch.resolve("small"), 1 << 30);
    UploadSession tooLarge = small.beginUpload("big", DatasetOptions.DEFAULTS.withFormat(DatasetFormat.IDX));
    tooLarge.startFile("i.gz");
    tooLarge.write(images, 0, images.length / 2);
    assertThat(decodeThreads()).hasSize(1);
    byte[] rest = new byte[1 << 24];
    assertThat(catchThrowable(() -> tooLarge.write(rest))).isInstanceOf(TrainerdException.ResourceExhausted.class);
    assertThat(decodeThreads()).isEmpty();
    assertThat(small.earlyDecodeBytesReserved()).isZero();
  }

  @Test
  void decodesThatOutgrowTheMemoryBudgetFallBackToTheParseAtCommit() throws IOException {
    // 80 images of 28 x 28 decode to 63 KB of pixel bytes; the budget allows 40 KB.
    store = open(scratch.resolve("tight"), 40_000);
    Object[] files = {"i.gz", gzip(images(80, 28)), "l.gz", gzip(labels(80))};
    DatasetMetadata stored = upload(store, DatasetFormat.IDX, 4096, files);
    assertThat(diskParses).as("the images were parsed from disk at commit").hasValue(1);
    assertSameExamples(store.load(stored.id()), (LoadedDataset) parsedFromDisk(files));
    assertThat(store.earlyDecodeBytesReserved()).isZero();
    assertThat(decodeThreads()).isEmpty();
  }

  @Test
  void aGzipBombIsNotInflatedPastTheBudgetAndIsRejectedAsBefore() throws IOException {
    // A header declaring 5 million 28 x 28 images (15.7 GB of floats) ahead of 64 MiB of zeros
    // that gzip to 64 KB: the early decode is refused the memory before it allocates anything,
    // and the parse at commit rejects the header as it always has.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(5_000_000).putInt(28).putInt(28).array());
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        z.write(zeros);
      }
    }
    Object[] files = {"i.gz", out.toByteArray(), "l.gz", gzip(labels(3))};
    Object expected = parsedFromDisk(files);
    Throwable thrown = catchThrowable(() -> upload(store, DatasetFormat.IDX, 1 << 16, files));
    assertThat(thrown).isInstanceOf(TrainerdException.InvalidArgument.class).hasMessage(((Throwable) expected).getMessage());
    assertNothingLeftBehind();
  }

  @Test
  void parallelUploadsDecodeIndependently() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<DatasetMetadata>> uploads = new ArrayList<>();
      for (int k = 1; k <= 4; k++) {
        int count = 20 * k;
        Object[] files = {"i.gz", gzip(images(count, 12)), "l.gz", gzip(labels(count))};
        uploads.add(pool.submit(() -> upload(store, DatasetFormat.IDX, 333, files)));
      }
      for (int k = 1; k <= 4; k++) {
        assertThat(uploads.get(k - 1).get().summary().rows()).isEqualTo(20 * k);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(diskParses).hasValue(0);
    assertThat(store.list(0, "").items()).hasSize(4);
    assertNothingLeftBehind();
  }
}
