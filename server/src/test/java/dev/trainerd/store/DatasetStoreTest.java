package dev.trainerd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.trainerd.data.ColumnType;
import dev.trainerd.jobs.Page;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.ExamplesFile;
import dev.trainerd.data.IdxDatasetParser;
import dev.trainerd.data.LabelKind;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.TaskKind;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DatasetStoreTest {

  private static final String CSV = "Id,size,color,price\n1,10,red,100\n2,20,blue,200\n3,NA,red,300\n";
  private static final DatasetParsers PARSERS =
      new DatasetParsers(List.of(new CsvParser(), new ExamplesFile()));

  @TempDir Path root;
  private TickingClock clock;
  private DatasetStore store;

  /** A clock that moves one second per reading, so create times are distinct and ordered. */
  static final class TickingClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      now = now.plusSeconds(1);
      return now;
    }
  }

  @BeforeEach
  void open() throws IOException {
    clock = new TickingClock();
    store = DatasetStore.open(root, 1000, PARSERS, DatasetUsage.NONE, clock);
  }

  private DatasetMetadata upload(String name, String content, DatasetOptions options) {
    try (UploadSession session = store.beginUpload(name, options)) {
      session.startFile("train.csv");
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      // In small chunks, as a stream would deliver them.
      for (int i = 0; i < bytes.length; i += 7) {
        session.write(bytes, i, Math.min(7, bytes.length - i));
      }
      return session.commit();
    }
  }

  private List<Path> files(String folder) throws IOException {
    Path dir = root.resolve(folder);
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private void assertNothingStored() throws IOException {
    assertThat(files("records")).isEmpty();
    assertThat(files("blobs")).isEmpty();
    assertThat(files("staging")).isEmpty();
    assertThat(store.list(0, "").items()).isEmpty();
  }

  /** CSV parsing that counts its calls. */
  private static final class CountingCsv implements dev.trainerd.data.DatasetParser {
    final CsvParser csv = new CsvParser();
    int parses;

    @Override
    public DatasetFormat format() {
      return csv.format();
    }

    @Override
    public LoadedDataset parse(List<dev.trainerd.data.NamedFile> files, DatasetOptions options) {
      parses++;
      return csv.parse(files, options);
    }
  }

  @Test
  void theUploadsValidationParseIsTheOnlyDecodeAndARepeatedUploadIsNotParsedAgain(@TempDir Path other)
      throws IOException {
    CountingCsv counting = new CountingCsv();
    store = DatasetStore.open(other, 1000, new DatasetParsers(List.of(counting)), DatasetUsage.NONE, clock, 1 << 20);
    DatasetMetadata m = upload("houses", CSV, DatasetOptions.csv("price", "Id"));
    assertThat(counting.parses).isEqualTo(1);
    LoadedDataset first = store.load(m.id());
    assertThat(store.load(m.id())).isSameAs(first);
    assertThat(counting.parses).as("the first job reuses the upload's decode").isEqualTo(1);

    DatasetMetadata again = upload("houses again", CSV, DatasetOptions.csv("price", "Id"));
    assertThat(again).isEqualTo(m);
    assertThat(counting.parses).as("known content is not parsed twice").isEqualTo(1);
  }

  @Test
  void commitStoresBlobRecordAndMetadata() throws IOException {
    DatasetMetadata m = upload("houses", CSV, DatasetOptions.csv("price", "Id"));
    assertThat(m.name()).isEqualTo("datasets/" + m.id());
    assertThat(DatasetIds.isValid(m.id())).isTrue();
    assertThat(m.displayName()).isEqualTo("houses");
    assertThat(m.format()).isEqualTo(DatasetFormat.CSV);
    assertThat(m.rows()).isEqualTo(3);
    assertThat(m.featureCount()).isEqualTo(1 + 2 + 1); // size; color_blue, color_red, color_nan
    assertThat(m.labelKind()).isEqualTo(LabelKind.REGRESSION);
    assertThat(m.idColumn()).isEqualTo("Id");
    assertThat(m.schema()).hasSize(2);
    assertThat(m.schema().get(1).categories()).containsExactly("blue", "red");
    assertThat(m.schema().get(0).missing()).isEqualTo(1);
    assertThat(m.files()).hasSize(1);
    assertThat(m.files().get(0).bytes()).isEqualTo(CSV.length());
    assertThat(m.sha256()).isEqualTo(m.files().get(0).sha256()).hasSize(64);
    assertThat(m.createTime()).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
    assertThat(files("blobs")).hasSize(1);
    assertThat(files("records")).containsExactly(root.resolve("records/" + m.id() + ".json"));
    assertThat(files("staging")).isEmpty();
    assertThat(store.get(m.id())).isEqualTo(m);

    LoadedDataset.Tabular loaded = (LoadedDataset.Tabular) store.load(m.id());
    assertThat(loaded.table().ids()).containsExactly("1", "2", "3");
  }

  @Test
  void sameBytesTwiceAreOneDatasetAndOneBlob() throws IOException {
    DatasetMetadata first = upload("a", CSV, DatasetOptions.csv("price", "Id"));
    DatasetMetadata second = upload("b", CSV, DatasetOptions.csv("price", "Id"));
    assertThat(second).isEqualTo(first); // the first display name is kept
    assertThat(files("blobs")).hasSize(1);
    assertThat(files("records")).hasSize(1);

    // Same bytes, other options: another dataset, still one blob.
    DatasetMetadata classified =
        upload("c", CSV, DatasetOptions.csv("color", "Id"));
    assertThat(classified.id()).isNotEqualTo(first.id());
    assertThat(classified.sha256()).isEqualTo(first.sha256());
    assertThat(classified.classNames()).containsExactly("blue", "red");
    assertThat(files("blobs")).hasSize(1);
    assertThat(files("records")).hasSize(2);

    // AUTO resolves to CSV, so it is the same dataset as an explicit CSV upload.
    DatasetMetadata auto =
        upload("d", CSV, DatasetOptions.csv("price", "Id").withFormat(DatasetFormat.AUTO));
    assertThat(auto.id()).isEqualTo(first.id());
  }

  @Test
  void abortLeavesNothing() throws IOException {
    UploadSession session = store.beginUpload("x", DatasetOptions.csv("price", ""));
    session.startFile("train.csv");
    session.write(CSV.getBytes(StandardCharsets.UTF_8));
    assertThat(files("staging")).hasSize(1);
    session.abort();
    assertNothingStored();
    assertThatThrownBy(() -> session.write(new byte[] {1}))
        .isInstanceOf(TrainerdException.FailedPrecondition.class)
        .hasMessage("the upload was already aborted");
    // Closing without commit is an abort too.
    try (UploadSession other = store.beginUpload("y", DatasetOptions.csv("price", ""))) {
      other.write(CSV.getBytes(StandardCharsets.UTF_8));
    }
    assertNothingStored();
  }

  @Test
  void oversizeUploadIsResourceExhaustedAndStoresNothing() throws IOException {
    UploadSession session = store.beginUpload("big", DatasetOptions.csv("", ""));
    session.write(new byte[600]);
    Throwable thrown = catchThrowable(() -> session.write(new byte[401]));
    assertThat(thrown)
        .isInstanceOf(TrainerdException.ResourceExhausted.class)
        .hasMessage("the upload exceeds the server's limit of 1000 bytes");
    assertThat(((TrainerdException) thrown).reason()).isEqualTo("UPLOAD_TOO_LARGE");
    assertNothingStored();
  }

  static Stream<Arguments> badInputs() {
    DatasetOptions price = DatasetOptions.csv("price", "");
    return Stream.of(
        Arguments.of("ragged", "a,price\n1,2\n1,2,3\n", price,
            "train.csv data row 2 has 3 fields but the header has 2"),
        Arguments.of("non-numeric target", "a,price\n1,2\n2,cheap\n",
            price.withTaskKind(TaskKind.REGRESSION),
            "train.csv data row 2, column 'price': 'cheap' is not a number, and regression targets must be numbers"),
        Arguments.of("empty", "", price,
            "train.csv is empty; a CSV dataset needs a header row and at least one data row"),
        Arguments.of("header only", "a,price\n", price, "train.csv has a header but no data rows"),
        Arguments.of("missing label column", "a,b\n1,2\n", price,
            "label_column: no column 'price' in the header of train.csv (a, b)"),
        Arguments.of("unknown override", "a,price\n1,2\n",
            price.withTypeOverrides(Map.of("z", ColumnType.CATEGORICAL)),
            "type_overrides[z]: no column 'z' in the header of train.csv (a, price)"),
        Arguments.of("missing label value", "a,price\n1,\n", price,
            "train.csv data row 1, column 'price': the label is missing; every row needs one"),
        Arguments.of("not UTF-8", "a,price\n\u00ff,1\n", price, "train.csv is not UTF-8 text"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRejectedWithItsPlaceAndNothingIsStored(
      String what, String content, DatasetOptions options, String message) throws IOException {
    byte[] bytes =
        what.equals("not UTF-8")
            ? content.getBytes(StandardCharsets.ISO_8859_1)
            : content.getBytes(StandardCharsets.UTF_8);
    UploadSession session = store.beginUpload(what, options);
    session.startFile("train.csv");
    session.write(bytes);
    assertThatThrownBy(session::commit)
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage(message);
    assertNothingStored();
    // The store stays usable after a rejected upload.
    assertThat(upload("ok", CSV, DatasetOptions.csv("price", "Id")).rows()).isEqualTo(3);
  }

  @Test
  void listPagesNewestFirstWithOpaqueTokens() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(upload("d" + i, CSV + (i + 4) + ",1,red,5\n", DatasetOptions.csv("price", "Id")).id());
    }
    java.util.Collections.reverse(ids);
    Page<DatasetMetadata> first = store.list(2, "");
    Page<DatasetMetadata> second = store.list(2, first.nextPageToken());
    Page<DatasetMetadata> third = store.list(2, second.nextPageToken());
    assertThat(first.items()).extracting(DatasetMetadata::id).containsExactlyElementsOf(ids.subList(0, 2));
    assertThat(second.items()).extracting(DatasetMetadata::id).containsExactlyElementsOf(ids.subList(2, 4));
    assertThat(third.items()).extracting(DatasetMetadata::id).containsExactly(ids.get(4));
    assertThat(third.nextPageToken()).isEmpty();
    assertThat(store.list(0, "").items()).hasSize(5);

    // A token survives deletion of the dataset it points after.
    store.delete(ids.get(1));
    assertThat(store.list(2, first.nextPageToken()).items())
        .extracting(DatasetMetadata::id)
        .containsExactlyElementsOf(ids.subList(2, 4));

    assertThatThrownBy(() -> store.list(2, "garbage!"))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage("page_token: is not a token this server issued; start with an empty token");
    assertThatThrownBy(() -> store.list(-1, ""))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage("page_size: must be in [0, 1000], was -1");
  }

  @Test
  void deleteRemovesRecordAndUnsharedBlobsAndRespectsUsage() throws IOException {
    DatasetMetadata regression = upload("r", CSV, DatasetOptions.csv("price", "Id"));
    DatasetMetadata classes = upload("c", CSV, DatasetOptions.csv("color", "Id"));
    store.delete(regression.id());
    assertThat(store.find(regression.id())).isEmpty();
    assertThat(files("blobs")).hasSize(1); // still used by the other dataset
    store.delete(classes.id());
    assertNothingStored();

    assertThatThrownBy(() -> store.delete(classes.id()))
        .isInstanceOf(TrainerdException.NotFound.class)
        .hasMessage("datasets/" + classes.id() + " does not exist");

    DatasetStore guarded =
        DatasetStore.open(
            root, 1000, PARSERS, id -> Optional.of("trainingJobs/j1 (RUNNING)"), clock);
    DatasetMetadata m;
    try (UploadSession s = guarded.beginUpload("g", DatasetOptions.csv("price", "Id"))) {
      s.write(CSV.getBytes(StandardCharsets.UTF_8));
      m = s.commit();
    }
    assertThatThrownBy(() -> guarded.delete(m.id()))
        .isInstanceOf(TrainerdException.FailedPrecondition.class)
        .hasMessage(m.name() + " is used by trainingJobs/j1 (RUNNING); delete or finish that first");
    assertThat(guarded.find(m.id())).isPresent();
  }

  @Test
  void idsAreValidatedBeforeAnyPathIsBuilt() {
    for (String bad : List.of("../../etc/passwd", "ABCDEFGHIJKLMNOP", "short", "", "aaaaaaaaaaaaaaa/")) {
      assertThatThrownBy(() -> store.get(bad)).isInstanceOf(TrainerdException.InvalidArgument.class);
      assertThatThrownBy(() -> store.delete(bad)).isInstanceOf(TrainerdException.InvalidArgument.class);
    }
    assertThatThrownBy(() -> DatasetIds.fromResourceName("models/abc", "name"))
        .hasMessage("name: must look like datasets/{id}");
    assertThatThrownBy(() -> store.get("aaaaaaaaaaaaaaaa")).isInstanceOf(TrainerdException.NotFound.class);
  }

  @Test
  void reopeningTheFolderListsWhatWasStoredAndCleansCrashLeftovers() throws IOException {
    DatasetMetadata m =
        upload(
            "keep",
            CSV,
            DatasetOptions.csv("price", "Id")
                .withTypeOverrides(Map.of("size", ColumnType.CATEGORICAL))
                .withMissingTokens(List.of("NA", "-"))
                .withSeparator(","));
    // What a crash can leave: a half-staged upload, a blob renamed without its record, and a
    // record temp file never renamed.
    Files.createDirectories(root.resolve("staging/dead"));
    Files.writeString(root.resolve("staging/dead/0"), "partial");
    String orphanSha = "ab".repeat(32);
    Files.createDirectories(root.resolve("blobs/ab"));
    Files.writeString(root.resolve("blobs/ab/" + orphanSha), "orphan");
    Files.writeString(root.resolve("records/.x.json.tmp-1"), "{");

    DatasetStore reopened = DatasetStore.open(root, 1000, PARSERS, DatasetUsage.NONE, clock);
    assertThat(reopened.list(0, "").items()).containsExactly(m);
    assertThat(files("staging")).isEmpty();
    assertThat(files("records")).hasSize(1);
    assertThat(files("blobs")).hasSize(1);
    assertThat(((LoadedDataset.Tabular) reopened.load(m.id())).table().rowCount()).isEqualTo(3);
    assertThat(reopened.get(m.id()).options().typeOverrides()).containsEntry("size", ColumnType.CATEGORICAL);
    assertThat(reopened.get(m.id()).schema().get(0).categories()).containsExactly("10", "20");
  }

  @Test
  void syntheticExamplesRoundTrip() throws IOException {
    Examples regression =
        new Examples(3, 2, new float[] {1, 2, 3, 4, 5, 6}, new Examples.Labels.Regression(new float[] {7, 8, 9}));
    DatasetMetadata m = store.storeExamples("linear", "linear w=[2,-3.4] b=4.2 n=3 seed=1", regression);
    assertThat(m.format()).isEqualTo(DatasetFormat.SYNTHETIC);
    assertThat(m.description()).isEqualTo("linear w=[2,-3.4] b=4.2 n=3 seed=1");
    assertThat(m.rows()).isEqualTo(3);
    assertThat(m.featureCount()).isEqualTo(2);
    assertThat(m.labelKind()).isEqualTo(LabelKind.REGRESSION);
    Examples back = ((LoadedDataset.Dense) store.load(m.id())).examples();
    assertThat(back.features()).containsExactly(regression.features());
    assertThat(((Examples.Labels.Regression) back.labels()).values()).containsExactly(7, 8, 9);
    assertThat(store.storeExamples("again", "", regression).id()).isEqualTo(m.id());
    assertThat(files("blobs")).hasSize(1);

    Examples classes =
        new Examples(2, 1, new float[] {0.5f, 1.5f}, new Examples.Labels.Classes(new int[] {2, 0}, 3));
    DatasetMetadata c = store.storeExamples("classes", "", classes);
    LoadedDataset.Dense loaded = (LoadedDataset.Dense) store.load(c.id());
    assertThat(((Examples.Labels.Classes) loaded.examples().labels()).values()).containsExactly(2, 0);
    assertThat(loaded.classNames()).containsExactly("0", "1", "2");

    assertThatThrownBy(() -> store.beginUpload("x", DatasetOptions.DEFAULTS.withFormat(DatasetFormat.SYNTHETIC)))
        .isInstanceOf(TrainerdException.InvalidArgument.class);
  }

  @Test
  void fileNamesAreValidatedAndUnique() throws IOException {
    UploadSession session = store.beginUpload("x", DatasetOptions.DEFAULTS);
    assertThatThrownBy(() -> session.startFile("../evil"))
        .isInstanceOf(TrainerdException.InvalidArgument.class);
    assertNothingStored();
    UploadSession other = store.beginUpload("x", DatasetOptions.DEFAULTS);
    other.startFile("a.csv");
    assertThatThrownBy(() -> other.startFile("a.csv"))
        .hasMessage("file_name: file 'a.csv' was already sent");
    assertNothingStored();
    UploadSession empty = store.beginUpload("x", DatasetOptions.DEFAULTS);
    assertThatThrownBy(empty::commit).hasMessage("files: no data was uploaded");
  }

  @Test
  void multiFileDatasetsHashTheirSortedListingWhateverTheUploadOrder() throws Exception {
    IdxDatasetParser idx =
        new IdxDatasetParser(
            (images, imagesField, labels, labelsField) ->
                new Examples(2, 1, new float[] {0, 1}, new Examples.Labels.Classes(new int[] {1, 0}, 2)));
    DatasetStore withIdx =
        DatasetStore.open(
            root, 1000, new DatasetParsers(List.of(new CsvParser(), idx)), DatasetUsage.NONE, clock);
    byte[] images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1};
    byte[] labels = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};
    DatasetMetadata first;
    try (UploadSession s = withIdx.beginUpload("idx", DatasetOptions.DEFAULTS)) {
      s.startFile("images");
      s.write(images);
      s.startFile("labels");
      s.write(labels);
      first = s.commit();
    }
    DatasetMetadata second;
    try (UploadSession s = withIdx.beginUpload("idx again", DatasetOptions.DEFAULTS)) {
      s.startFile("labels");
      s.write(labels);
      s.startFile("images");
      s.write(images);
      second = s.commit();
    }
    assertThat(first.format()).isEqualTo(DatasetFormat.IDX);
    assertThat(first.files()).extracting(f -> f.name()).containsExactly("images", "labels");
    assertThat(first.classNames()).containsExactly("0", "1");
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(files("blobs")).hasSize(2);
    String listing =
        first.files().get(0).sha256() + "  images\n" + first.files().get(1).sha256() + "  labels\n";
    assertThat(first.sha256())
        .isEqualTo(
            java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(listing.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void concurrentIdenticalUploadsStoreOneDataset() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<DatasetMetadata>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        results.add(pool.submit(() -> upload("u" + n, CSV, DatasetOptions.csv("price", "Id"))));
      }
      Set<String> ids = new java.util.HashSet<>();
      for (var r : results) {
        ids.add(r.get().id());
      }
      assertThat(ids).hasSize(1);
    } finally {
      pool.shutdown();
    }
    assertThat(files("blobs")).hasSize(1);
    assertThat(files("records")).hasSize(1);
    assertThat(files("staging")).isEmpty();
  }

  @Test
  void overlongDisplayNameIsRejected() {
    assertThatThrownBy(() -> store.beginUpload("n".repeat(257), DatasetOptions.DEFAULTS))
        .hasMessage("display_name: must be at most 256 characters");
  }
}
