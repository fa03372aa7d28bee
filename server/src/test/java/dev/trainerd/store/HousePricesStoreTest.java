package dev.trainerd.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.ColumnType;
import dev.trainerd.data.DatasetMetadata;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.DatasetParsers;
import dev.trainerd.data.DatasetPreparer;
import dev.trainerd.data.ExamplesFile;
import dev.trainerd.data.LabelKind;
import dev.trainerd.data.PreparedData;
import dev.trainerd.data.SharedData;
import dev.trainerd.data.SubmissionWriter;
import dev.trainerd.data.csv.CsvParser;
import dev.trainerd.data.prep.PreprocessingOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kaggle files through the whole data path: upload, store, load, prepare, submission. */
class HousePricesStoreTest {

  @TempDir Path root;

  private static DatasetMetadata upload(DatasetStore store, String file, DatasetOptions options)
      throws IOException {
    try (UploadSession session = store.beginUpload(file, options);
        InputStream in = Files.newInputStream(SharedData.housePrices(file))) {
      session.startFile(file);
      byte[] chunk = new byte[32 * 1024];
      for (int n; (n = in.read(chunk)) > 0; ) {
        session.write(chunk, 0, n);
      }
      return session.commit();
    }
  }

  @Test
  void uploadLoadPrepareAndWriteASubmission() throws IOException {
    DatasetStore store =
        DatasetStore.open(
            root,
            DatasetStore.DEFAULT_MAX_UPLOAD_BYTES,
            new DatasetParsers(List.of(new CsvParser(), new ExamplesFile())),
            DatasetUsage.NONE,
            Clock.systemUTC());
    DatasetMetadata train = upload(store, "train.csv", DatasetOptions.csv("SalePrice", "Id"));
    DatasetMetadata test = upload(store, "test.csv", DatasetOptions.csv("", "Id"));

    assertThat(train.rows()).isEqualTo(1460);
    assertThat(train.schema()).hasSize(79);
    assertThat(train.labelKind()).isEqualTo(LabelKind.REGRESSION);
    assertThat(train.sha256())
        .isEqualTo("1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41");
    assertThat(train.files().get(0).bytes()).isEqualTo(460676);
    assertThat(train.schema().stream().filter(c -> c.type() == ColumnType.NUMERIC)).hasSize(36);
    assertThat(test.rows()).isEqualTo(1459);
    assertThat(test.labelKind()).isEqualTo(LabelKind.NONE);
    assertThat(test.sha256())
        .isEqualTo("8fdd3d829d4d986b58f845c9553b225e67dd8383624d90fb6ca1d4bed5798c1e");

    PreparedData data =
        new DatasetPreparer()
            .prepare(
                store.load(train.id()), store.load(test.id()), PreprocessingOptions.BOOK_HOUSE_PRICES);
    assertThat(data.train().featureCount()).isEqualTo(331);
    assertThat(data.test().orElseThrow().featureCount()).isEqualTo(331);

    float[] predictions = new float[data.testIds().size()];
    java.util.Arrays.fill(predictions, 180921.2f);
    StringWriter submission = new StringWriter();
    new SubmissionWriter()
        .writeValues(submission, data.idColumn(), data.labelColumn(), data.testIds(), predictions);
    List<String> lines = submission.toString().lines().toList();
    assertThat(lines).hasSize(1460);
    assertThat(lines.get(0)).isEqualTo("Id,SalePrice");
    assertThat(lines.get(1)).isEqualTo("1461,180921.2");
    assertThat(lines.get(1459)).isEqualTo("2919,180921.2");
  }
}
