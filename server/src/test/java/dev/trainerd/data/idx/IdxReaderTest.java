package dev.trainerd.data.idx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class IdxReaderTest {

  private static byte[] images(int magic, int count, int rows, int cols, int pixelBytes) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixelBytes);
    b.putInt(magic).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < pixelBytes; i++) {
      b.put((byte) (i * 51));
    }
    return b.array();
  }

  private static byte[] labels(int magic, int... values) {
    ByteBuffer b = ByteBuffer.allocate(8 + values.length);
    b.putInt(magic).putInt(values.length);
    for (int v : values) {
      b.put((byte) v);
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

  private static InputStream in(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }

  private static FieldViolation violation(Throwable e) {
    return ((TrainerdException.InvalidArgument) e).violations().get(0);
  }

  @Test
  void readsRawImagesOfAnySizeAsUnitFloats() {
    // 2 images of 1 x 3 pixels: bytes 0, 51, 102 | 153, 204, 255 -> /255, kept as bytes
    Examples e = IdxReader.read(in(images(0x803, 2, 1, 3, 6)), in(labels(0x801, 1, 0)));
    assertThat(e.count()).isEqualTo(2);
    assertThat(e.featureCount()).isEqualTo(3);
    assertThat(e.values()).isInstanceOf(Examples.Values.UnsignedBytes.class);
    assertThat(e.featureBytes()).isEqualTo(6);
    assertThat(e.features()).containsExactly(0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f);
    Examples.Labels.Classes classes = (Examples.Labels.Classes) e.labels();
    assertThat(classes.values()).containsExactly(1, 0);
    assertThat(classes.classCount()).isEqualTo(2);
  }

  @Test
  void readsGzippedFilesAndCountsClassesFromTheLargestLabel() throws IOException {
    Examples e = IdxReader.read(in(gzip(images(0x803, 3, 2, 2, 12))), in(gzip(labels(0x801, 4, 0, 7))));
    assertThat(e.featureCount()).isEqualTo(4);
    assertThat(((Examples.Labels.Classes) e.labels()).classCount()).isEqualTo(8);
  }

  @Test
  void singleClassStillHasTwoClasses() {
    Examples e = IdxReader.read(in(images(0x803, 1, 1, 1, 1)), in(labels(0x801, 0)));
    assertThat(((Examples.Labels.Classes) e.labels()).classCount()).isEqualTo(2);
  }

  @Test
  void wrongImagesMagicNamesTheFileAndBothMagics() {
    assertThatThrownBy(() -> IdxReader.read(in(images(0x801, 1, 1, 1, 1)), in(labels(0x801, 0))))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .satisfies(e -> {
          assertThat(violation(e).field()).isEqualTo("files[0]");
          assertThat(violation(e).description()).contains("0x00000801").contains("0x00000803");
        });
  }

  @Test
  void wrongLabelsMagicNamesTheLabelsFile() {
    assertThatThrownBy(() -> IdxReader.read(in(images(0x803, 1, 1, 1, 1)), in(labels(0x803, 0))))
        .satisfies(e -> assertThat(violation(e).field()).isEqualTo("files[1]"));
  }

  @Test
  void truncatedPixelsSayWhichImage() {
    assertThatThrownBy(() -> IdxReader.read(in(images(0x803, 3, 2, 2, 9)), in(labels(0x801, 0, 1, 2))))
        .satisfies(e -> {
          assertThat(violation(e).field()).isEqualTo("files[0]");
          assertThat(violation(e).description()).contains("truncated").contains("image 2 of 3");
        });
  }

  @Test
  void aTinyFileDeclaringGigabytesIsRefusedOrReportedTruncated() {
    // 8190 images of 512 x 512 pixels would be 2.1 GB of pixel bytes. With less than twice that
    // heap free the read stops at the header; with more, the array grows only as bytes arrive,
    // so the four bytes there are end in a truncation, not a 2 GB allocation.
    assertThatThrownBy(() -> IdxReader.read(in(images(0x803, 8190, 512, 512, 4)), in(labels(0x801, 0))))
        .isInstanceOfAny(TrainerdException.ResourceExhausted.class, TrainerdException.InvalidArgument.class)
        .hasMessageContaining("files[0]")
        .satisfiesAnyOf(
            e -> assertThat(e).hasMessageContaining("2146959360 bytes"),
            e -> assertThat(e).hasMessageContaining("is truncated: image 0 of 8190 is incomplete"));
  }

  @Test
  void aFileLargerThanTheFirstAllocationIsReadWhole() throws IOException {
    int side = 64;
    int count = IdxReader.FIRST_ALLOCATION / (side * side) + 3;
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(raw);
    out.writeInt(0x803);
    out.writeInt(count);
    out.writeInt(side);
    out.writeInt(side);
    byte[] image = new byte[side * side];
    for (int i = 0; i < count; i++) {
      Arrays.fill(image, (byte) (i % 256));
      out.write(image);
    }
    Examples e = IdxReader.read(in(gzip(raw.toByteArray())), in(labels(0x801, new int[count])));
    assertThat(e.count()).isEqualTo(count);
    assertThat(e.row(count - 1)[side * side - 1]).isEqualTo(((count - 1) % 256) / 255f);
    assertThat(e.row(1)[0]).isEqualTo(1 / 255f);
  }

  @Test
  void truncatedGzipIsReported() throws IOException {
    byte[] whole = gzip(images(0x803, 50, 4, 4, 800));
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    assertThatThrownBy(() -> IdxReader.read(in(cut), in(labels(0x801, new int[50]))))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .satisfies(e -> {
          assertThat(violation(e).field()).isEqualTo("files[0]");
          assertThat(violation(e).description()).contains("truncated");
        });
  }

  @Test
  void truncatedHeaderIsReported() {
    assertThatThrownBy(() -> IdxReader.read(in(new byte[] {0, 0, 8, 3, 0, 0}), in(labels(0x801, 0))))
        .satisfies(e -> assertThat(violation(e).description()).contains("header ends before the image count"));
  }

  @Test
  void countMismatchIsReportedOnTheLabelsFile() {
    assertThatThrownBy(() -> IdxReader.read(in(images(0x803, 2, 1, 1, 2)), in(labels(0x801, 0, 1, 1))))
        .satisfies(e -> {
          assertThat(violation(e).field()).isEqualTo("files[1]");
          assertThat(violation(e).description()).isEqualTo("has 3 labels but the images file has 2 images");
        });
  }

  @Test
  void customFieldNamesAreUsed() {
    assertThatThrownBy(() -> IdxReader.read(in(labels(0x801, 0)), "images", in(labels(0x801, 0)), "labels"))
        .satisfies(e -> assertThat(violation(e).field()).isEqualTo("images"));
  }

  private static Examples fashion(String prefix) throws IOException {
    String property = System.getProperty("trainerd.shared.data");
    Path dir = (property != null ? Path.of(property) : Path.of("..", "shared", "data")).resolve("fashion-mnist");
    try (InputStream images = Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
        InputStream labels = Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      return IdxReader.read(images, labels);
    }
  }

  @Test
  void fashionMnistLoadsWithBalancedClasses() throws IOException {
    for (String prefix : new String[] {"train", "t10k"}) {
      Examples e = fashion(prefix);
      int n = prefix.equals("train") ? 60_000 : 10_000;
      assertThat(e.count()).isEqualTo(n);
      assertThat(e.featureCount()).isEqualTo(784);
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float v : e.features()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertThat(min).isEqualTo(0f);
      assertThat(max).isEqualTo(1f);
      Examples.Labels.Classes classes = (Examples.Labels.Classes) e.labels();
      assertThat(classes.classCount()).isEqualTo(10);
      int[] perClass = new int[10];
      for (int v : classes.values()) {
        perClass[v]++;
      }
      int[] expected = new int[10];
      Arrays.fill(expected, n / 10);
      assertThat(perClass).containsExactly(expected);
    }
  }

  @Test
  void partsReadOneFileEachAndCombineAsReadDoes() throws IOException {
    java.util.List<Long> asked = new java.util.ArrayList<>();
    IdxReader.Part images = IdxReader.readPart(in(gzip(images(0x803, 2, 1, 3, 6))), "i", bytes -> asked.add(bytes));
    IdxReader.Part labels = IdxReader.readPart(in(labels(0x801, 1, 0)), "l", bytes -> asked.add(bytes));
    assertThat(asked).as("the decoded arrays' bytes, asked before allocating").containsExactly(6L, 10L);
    Examples e = IdxReader.combine((IdxReader.Images) images, (IdxReader.Labels) labels, "l");
    Examples read = IdxReader.read(in(images(0x803, 2, 1, 3, 6)), in(labels(0x801, 1, 0)));
    assertThat(e.features()).containsExactly(read.features());
    assertThat(((Examples.Labels.Classes) e.labels()).values()).containsExactly(1, 0);
    assertThatThrownBy(() -> IdxReader.combine((IdxReader.Images) images, new IdxReader.Labels(new int[] {1}), "l"))
        .hasMessage("l: has 1 labels but the images file has 2 images");
  }

  @Test
  void partsGiveUpWhenRefusedTheMemoryAndRejectOtherMagics() {
    assertThatThrownBy(() -> IdxReader.readPart(in(images(0x803, 1000, 100, 100, 0)), "i", bytes -> false))
        .isInstanceOf(TrainerdException.ResourceExhausted.class)
        .hasMessage("i needs 10000000 bytes decoded, more than the memory allowed for it now");
    assertThat(violation(catchThrowableOf(() -> IdxReader.readPart(in(labels(0x802, 1)), "x", bytes -> true))).description())
        .isEqualTo("is neither an IDX images file (magic 0x00000803) nor a labels file (0x00000801): magic 0x00000802");
  }

  private static Throwable catchThrowableOf(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    return org.assertj.core.api.Assertions.catchThrowable(call);
  }
}
