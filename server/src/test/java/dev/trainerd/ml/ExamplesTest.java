package dev.trainerd.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Examples read the same whatever their features are stored as. */
class ExamplesTest {

  private static final byte[] PIXELS = {0, 1, (byte) 127, (byte) 128, (byte) 254, (byte) 255};

  private static Examples bytes() {
    return new Examples(
        3, 2, new Examples.Values.UnsignedBytes(PIXELS.clone(), 255f), new Examples.Labels.Classes(new int[] {0, 1, 1}, 2));
  }

  private static Examples floats() {
    float[] f = new float[PIXELS.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (PIXELS[i] & 0xff) / 255f;
    }
    return new Examples(3, 2, f, new Examples.Labels.Classes(new int[] {0, 1, 1}, 2));
  }

  @Test
  void unsignedBytesReadAsTheFloatsAPerPixelDivisionGives() {
    assertThat(bytes().features()).containsExactly(floats().features());
    byte[] all = new byte[256];
    for (int b = 0; b < 256; b++) {
      all[b] = (byte) b;
    }
    float[] read = new Examples.Values.UnsignedBytes(all, 255f).toFloats();
    for (int b = 0; b < 256; b++) {
      assertThat(read[b]).isEqualTo(b / 255f);
    }
  }

  @Test
  void rowsCopiesSubsetsAndLabelsAgreeAcrossStorage() {
    for (Examples e : new Examples[] {bytes(), floats()}) {
      float[] all = floats().features();
      assertThat(e.row(1)).containsExactly(all[2], all[3]);
      float[] into = new float[6];
      e.copyRows(1, 2, into, 1);
      assertThat(into).containsExactly(0f, all[2], all[3], all[4], all[5], 0f);
      Examples picked = e.subset(new int[] {2, 0, 2});
      assertThat(picked.features()).containsExactly(all[4], all[5], all[0], all[1], all[4], all[5]);
      assertThat(((Examples.Labels.Classes) picked.labels()).values()).containsExactly(1, 0, 1);
      assertThat(picked.values().getClass()).isEqualTo(e.values().getClass());
      Examples relabelled = e.withLabels(new Examples.Labels.Classes(new int[] {1, 1, 0}, 2));
      assertThat(relabelled.values()).isSameAs(e.values());
      assertThatThrownBy(() -> e.subset(new int[] {3})).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void bytesTakeAQuarterOfTheMemoryOfFloats() {
    assertThat(bytes().featureBytes()).isEqualTo(6);
    assertThat(floats().featureBytes()).isEqualTo(24);
  }

  @Test
  void floatStorageHandsOutItsOwnArrayAndShapesAreChecked() {
    float[] f = {1, 2};
    assertThat(new Examples(1, 2, f, new Examples.Labels.None()).features()).isSameAs(f);
    assertThatThrownBy(() -> new Examples(2, 2, new Examples.Values.UnsignedBytes(new byte[3], 255f), new Examples.Labels.None()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Examples.Values.UnsignedBytes(new byte[1], 0f)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Examples.Values.UnsignedBytes(new byte[1], Float.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
