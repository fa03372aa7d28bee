package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class ForwardTest {

  private static float[] mask(int rows, int units, double p, long seed) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> m = Forward.keepMask(tf, tf.constant(new int[] {rows, units}), p, tf.constant(new long[] {seed, 7}));
      try (Result r = s.runner().fetch(m).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        assertThat(t.shape().asArray()).containsExactly(rows, units);
        float[] out = new float[rows * units];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  @Test
  void dropoutMaskKeepsOneMinusPAndHasMeanOne() {
    for (double p : new double[] {0.2, 0.5, 0.9}) {
      float[] m = mask(1000, 257, p, 1);
      float scale = (float) (1 / (1 - Math.round(p * 65536) / 65536.0));
      int kept = 0;
      double sum = 0;
      for (float v : m) {
        assertThat(v == 0f || v == scale).isTrue();
        kept += v == 0f ? 0 : 1;
        sum += v;
      }
      assertThat((double) kept / m.length).as("keep rate for p=%s", p).isCloseTo(1 - p, within(0.01));
      assertThat(sum / m.length).isCloseTo(1.0, within(0.03));
    }
  }

  @Test
  void dropoutMaskIsAFunctionOfTheSeed() {
    assertThat(mask(16, 33, 0.5, 3)).containsExactly(mask(16, 33, 0.5, 3));
    assertThat(mask(16, 33, 0.5, 4)).isNotEqualTo(mask(16, 33, 0.5, 3));
  }

  @Test
  void polynomialFeaturesArePowersOverFactorials() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> f = Forward.polynomialFeatures(tf, tf.constant(new float[][] {{2f}, {-1f}}), 3, true);
      try (Result r = s.runner().fetch(f).run()) {
        float[] out = new float[8];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
        // x = 2: 1, 2, 4/2, 8/6; x = -1: 1, -1, 1/2, -1/6
        assertThat(out).containsExactly(new float[] {1f, 2f, 2f, 8f / 6, 1f, -1f, 0.5f, -1f / 6}, within(1e-6f));
      }
    }
  }
}
