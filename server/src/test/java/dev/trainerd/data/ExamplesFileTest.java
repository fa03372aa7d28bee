package dev.trainerd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesFileTest {

  @TempDir Path dir;

  private final ExamplesFile format = new ExamplesFile();

  private LoadedDataset.Dense read(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("e"), bytes);
    return (LoadedDataset.Dense) format.parse(List.of(new NamedFile("e", file)), DatasetOptions.DEFAULTS);
  }

  private static byte[] bytes(Examples examples) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExamplesFile.write(examples, out);
    return out.toByteArray();
  }

  @Test
  void layoutIsHeaderThenBigEndianFloats() throws IOException {
    Examples e = new Examples(1, 2, new float[] {1f, -2f}, new Examples.Labels.Regression(new float[] {0.5f}));
    byte[] b = bytes(e);
    assertThat(b).hasSize(21 + 4 * 3);
    assertThat(Arrays.copyOfRange(b, 0, 4)).containsExactly('T', 'D', 'E', 'X');
    assertThat(Arrays.copyOfRange(b, 21, 25)).containsExactly(0x3f, 0x80, 0, 0); // 1.0f
    Examples back = read(b).examples();
    assertThat(back.features()).containsExactly(1f, -2f);
    assertThat(((Examples.Labels.Regression) back.labels()).values()).containsExactly(0.5f);

    Examples unlabelled = new Examples(2, 1, new float[] {3f, 4f}, new Examples.Labels.None());
    assertThat(read(bytes(unlabelled)).labelKind()).isEqualTo(LabelKind.NONE);
  }

  @Test
  void corruptFilesAreRejected() throws IOException {
    Examples e = new Examples(1, 2, new float[] {1f, -2f}, new Examples.Labels.Regression(new float[] {0.5f}));
    byte[] good = bytes(e);
    assertThatThrownBy(() -> read(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessage("files[e]: e: header does not match the file size");
    assertThatThrownBy(() -> read("this is not an examples file".getBytes()))
        .hasMessage("files[e]: e: not a trainerd examples file (version 1)");
    assertThatThrownBy(() -> read(new byte[3])).hasMessage("files[e]: e: ends early");
  }
}
