package dev.trainerd.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.CifarLabels;
import dev.trainerd.data.DatasetFormat;
import dev.trainerd.data.DatasetOptions;
import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.data.LoadedDataset;
import dev.trainerd.data.NamedFile;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarParserTest {
  @TempDir Path dir;

  private NamedFile file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return new NamedFile(name, p);
  }

  /** Pixel i of record r is (r * 7 + i) mod 256: R plane bytes 0..1023, G 1024..2047, B 2048..3071. */
  private static int pixel(int record, int i) {
    return (record * 7 + i) % 256;
  }

  private static byte[] records(int[][] labels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int r = 0; r < labels.length; r++) {
      for (int label : labels[r]) {
        out.write(label);
      }
      for (int i = 0; i < 3072; i++) {
        out.write(pixel(r, i));
      }
    }
    return out.toByteArray();
  }

  private static LoadedDataset.Dense parse(List<NamedFile> files, CifarLabels labels, ImageTransform... steps) {
    DatasetOptions options =
        DatasetOptions.DEFAULTS.withFormat(DatasetFormat.CIFAR).withImage(new ImageOptions(List.of(steps), 0, labels));
    return (LoadedDataset.Dense) new CifarParser(ArchiveLimits.DEFAULTS).parse(files, options);
  }

  @Test
  void readsCifar10RecordsAcrossBatchesWithPlanarPixels() throws IOException {
    NamedFile b1 = file("data_batch_1.bin", records(new int[][] {{3}, {9}}));
    NamedFile b2 = file("data_batch_2.bin", records(new int[][] {{0}}));
    LoadedDataset.Dense loaded = parse(List.of(b1, b2), CifarLabels.AUTO);
    Examples ex = loaded.examples();
    assertThat(ex.count()).isEqualTo(3);
    assertThat(ex.featureCount()).isEqualTo(3072);
    assertThat(((Examples.Labels.Classes) ex.labels()).values()).containsExactly(3, 9, 0);
    assertThat(((Examples.Labels.Classes) ex.labels()).classCount()).isEqualTo(10);
    assertThat(loaded.classNames()).hasSize(10).startsWith("0", "1");
    // Record 1 of the first batch: R(0,0) = 7, G(0,0) = (7 + 1024) % 256 = 7, B(31,31) = (7 + 3071) % 256 = 6.
    assertThat(ex.row(1)[0]).isEqualTo(7f);
    assertThat(ex.row(1)[1024]).isEqualTo(7f);
    assertThat(ex.row(1)[3071]).isEqualTo(6f);
    // The third example is record 0 of the second batch: value i % 256.
    assertThat(ex.row(2)[300]).isEqualTo(44f);
  }

  @Test
  void readsCifar100FineOrCoarseLabelsAndClassNames() throws IOException {
    NamedFile batch = file("train.bin", records(new int[][] {{19, 99}, {0, 42}}));
    LoadedDataset.Dense fine = parse(List.of(batch), CifarLabels.AUTO);
    assertThat(((Examples.Labels.Classes) fine.examples().labels()).values()).containsExactly(99, 42);
    assertThat(((Examples.Labels.Classes) fine.examples().labels()).classCount()).isEqualTo(100);
    // The label bytes are not pixels: pixel 0 of record 0 is 0.
    assertThat(fine.examples().row(0)[0]).isEqualTo(0f);

    StringBuilder coarseNames = new StringBuilder();
    for (int k = 0; k < 20; k++) {
      coarseNames.append("super").append(k).append('\n');
    }
    NamedFile coarseFile = file("coarse_label_names.txt", coarseNames.toString().getBytes(StandardCharsets.UTF_8));
    NamedFile fineFile = file("fine_label_names.txt", "x\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    LoadedDataset.Dense coarse = parse(List.of(batch, coarseFile, fineFile), CifarLabels.CIFAR100_COARSE);
    assertThat(((Examples.Labels.Classes) coarse.examples().labels()).values()).containsExactly(19, 0);
    assertThat(coarse.classNames()).hasSize(20).startsWith("super0").endsWith("super19");
  }

  @Test
  void transformsApplyToCifarImages() throws IOException {
    NamedFile batch = file("b.bin", records(new int[][] {{1}}));
    Examples ex = parse(List.of(batch), CifarLabels.CIFAR10, ImageTransform.centerCrop(2, 2), ImageTransform.toTensor()).examples();
    assertThat(ex.featureCount()).isEqualTo(12);
    // Rows 15 and 16, columns 15 and 16 of each plane: R (15 * 32 + 15) = 495 -> 495 % 256 = 239.
    assertThat(ex.row(0)[0]).isCloseTo(239 / 255f, within(1e-6f));
    assertThat(ex.row(0)[1]).isCloseTo(240 / 255f, within(1e-6f));
    assertThat(ex.row(0)[2]).isCloseTo((527 % 256) / 255f, within(1e-6f));
  }

  @Test
  void badSizesAndLabelsAreReportedByFile() throws IOException {
    NamedFile cut = file("cut.bin", new byte[3073 + 5]);
    assertThatThrownBy(() -> parse(List.of(cut), CifarLabels.CIFAR10))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[cut.bin]")
        .hasMessageContaining("3073");
    assertThatThrownBy(() -> parse(List.of(cut), CifarLabels.AUTO)).hasMessageContaining("cifar_labels");
    NamedFile badLabel = file("label.bin", records(new int[][] {{0}, {10}}));
    assertThatThrownBy(() -> parse(List.of(badLabel), CifarLabels.CIFAR10))
        .hasMessageContaining("files[label.bin]")
        .hasMessageContaining("record 1 has label 10");
  }
}
