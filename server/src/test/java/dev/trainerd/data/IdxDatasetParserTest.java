package dev.trainerd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing part of the IDX adapter: which file is which. Decoding is the IDX reader's; here
 * a decoder records what it was handed.
 */
class IdxDatasetParserTest {

  @TempDir Path dir;

  private static final byte[] IMAGES = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, (byte) 255};
  private static final byte[] LABELS = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};

  private final List<String> calls = new ArrayList<>();
  private final IdxDatasetParser parser =
      new IdxDatasetParser(
          (images, imagesField, labels, labelsField) -> {
            try {
              calls.add(imagesField + " " + images.readAllBytes().length);
              calls.add(labelsField + " " + labels.readAllBytes().length);
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
            return new Examples(
                2, 1, new float[] {0, 1}, new Examples.Labels.Classes(new int[] {1, 0}, 2));
          });

  private NamedFile file(String name, byte[] bytes, boolean gzip) throws IOException {
    byte[] content = bytes;
    if (gzip) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(bytes);
      }
      content = out.toByteArray();
    }
    return new NamedFile(name, Files.write(dir.resolve(name), content));
  }

  @Test
  void findsImagesAndLabelsByMagicInAnyOrderRawOrGzipped() throws IOException {
    NamedFile labels = file("l.gz", LABELS, true);
    NamedFile images = file("i", IMAGES, false);
    LoadedDataset.Dense d = (LoadedDataset.Dense) parser.parse(List.of(labels, images), DatasetOptions.DEFAULTS);
    assertThat(calls).containsExactly("files[i] " + IMAGES.length, "files[l.gz] " + Files.size(labels.path()));
    assertThat(d.classNames()).containsExactly("0", "1");
    assertThat(new DatasetParsers(List.of(parser)).resolve(DatasetFormat.AUTO, List.of(labels, images)))
        .isEqualTo(DatasetFormat.IDX);
  }

  @Test
  void rejectsWrongMagicPairsAndTruncatedHeaders() throws IOException {
    NamedFile images = file("i", IMAGES, false);
    assertThatThrownBy(() -> parser.parse(List.of(images, file("csv", "a,b\n".getBytes(), false)), DatasetOptions.DEFAULTS))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage(
            "files[csv]: csv starts with magic 0x612c620a, which is neither IDX images (0x00000803) nor labels (0x00000801)");
    assertThatThrownBy(() -> parser.parse(List.of(images, file("j", IMAGES, true)), DatasetOptions.DEFAULTS))
        .hasMessage("files[j]: both files are IDX images files");
    assertThatThrownBy(() -> parser.parse(List.of(images, file("t", new byte[] {0x1f, (byte) 0x8b, 8}, false)), DatasetOptions.DEFAULTS))
        .hasMessage("files[t]: t is too short or not valid gzip: no IDX header");
    assertThatThrownBy(() -> parser.parse(List.of(images), DatasetOptions.DEFAULTS))
        .hasMessage("files: an IDX dataset is two files, images and labels; got 1");
    assertThat(calls).isEmpty();
  }

  @Test
  void earlyDecodedImagesAndLabelsArePairedWithoutReadingTheFiles() throws IOException {
    FileDecoder early = parser.fileDecoder().orElseThrow();
    DecodedFile images = early.decode(new java.io.ByteArrayInputStream(IMAGES), bytes -> true);
    DecodedFile labels = early.decode(new java.io.ByteArrayInputStream(LABELS), bytes -> true);
    NamedFile l = new NamedFile("l", file("l", LABELS, false).path(), () -> java.util.Optional.of(labels));
    NamedFile i = new NamedFile("i", dir.resolve("absent-i"), () -> java.util.Optional.of(images));
    LoadedDataset.Dense d = (LoadedDataset.Dense) parser.parse(List.of(l, i), DatasetOptions.DEFAULTS);
    assertThat(calls).as("the decoder of whole files is not asked").isEmpty();
    assertThat(d.examples().features()).containsExactly(0f, 1f);
    assertThat(d.classNames()).containsExactly("0", "1");

    // Without an early result for every file, the files are read as usual.
    NamedFile onDisk = file("i2", IMAGES, true);
    parser.parse(List.of(l, onDisk), DatasetOptions.DEFAULTS);
    assertThat(calls).hasSize(2);
  }
}
