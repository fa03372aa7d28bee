package dev.trainerd.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.errors.TrainerdException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitialValuesTest {

  private static final long[] W = {300, 200};

  private static float[] draw(Initializer init) {
    return InitialValues.draw(init, "dense0/weight", W, 7);
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double variance(float[] v) {
    double m = mean(v);
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return s / v.length;
  }

  private static float max(float[] v) {
    float m = -Float.MAX_VALUE;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  @Test
  void constantInitialisers() {
    assertThat(draw(new Initializer.Zero())).containsOnly(0f).hasSize(60_000);
    assertThat(draw(new Initializer.One())).containsOnly(1f);
    assertThat(draw(new Initializer.Constant(-0.5))).containsOnly(-0.5f);
  }

  @Test
  void biasesStartAtZeroWhateverTheWeightInitialiser() {
    assertThat(InitialValues.draw(new Initializer.Normal(1), "dense0/bias", new long[] {5}, 1)).containsOnly(0f);
    assertThat(InitialValues.draw(new Initializer.Constant(3), "dense2/bias", new long[] {2}, 1)).containsOnly(0f);
  }

  @Test
  void normalHasMeanZeroAndTheRequestedSigma() {
    float[] v = draw(new Initializer.Normal(0.01));
    assertThat(mean(v)).isCloseTo(0, within(2e-4));
    assertThat(Math.sqrt(variance(v))).isCloseTo(0.01, within(2e-4));
  }

  @Test
  void uniformIsSymmetricWithinItsScale() {
    float[] v = draw(new Initializer.Uniform(Initializer.Uniform.DEFAULT_SCALE));
    assertThat(max(v)).isLessThanOrEqualTo(0.07f).isGreaterThan(0.069f);
    assertThat(mean(v)).isCloseTo(0, within(1e-3));
    assertThat(variance(v)).isCloseTo(0.07 * 0.07 / 3, within(5e-5));
  }

  @Test
  void xavierScalesByTheChosenFan() {
    // avg fan = 250: scale = sqrt(3 / 250) = 0.1095445; uniform variance = scale^2 / 3 = 0.004
    float[] uniform = draw(new Initializer.Xavier(Initializer.Distribution.UNIFORM, Initializer.FactorType.AVG, 3));
    assertThat(max(uniform)).isLessThanOrEqualTo(0.1095445f).isGreaterThan(0.108f);
    assertThat(mean(uniform)).isCloseTo(0, within(1e-3));
    assertThat(variance(uniform)).isCloseTo(0.004, within(1e-4));
    // gaussian, fan-in 300, magnitude 2: sigma^2 = 2 / 300
    float[] gaussian = draw(new Initializer.Xavier(Initializer.Distribution.GAUSSIAN, Initializer.FactorType.IN, 2));
    assertThat(variance(gaussian)).isCloseTo(2.0 / 300, within(2e-4));
    // fan-out 200, magnitude 3: sigma^2 = 3 / 200
    float[] out = draw(new Initializer.Xavier(Initializer.Distribution.GAUSSIAN, Initializer.FactorType.OUT, 3));
    assertThat(variance(out)).isCloseTo(3.0 / 200, within(4e-4));
  }

  @Test
  void msraIsGaussianWithTwoOverOnePlusSlopeSquared() {
    // fan-in 300, slope 0: sigma^2 = 2 / 300; slope 1: 1 / 300
    assertThat(variance(draw(new Initializer.Msra(Initializer.FactorType.IN, 0)))).isCloseTo(2.0 / 300, within(2e-4));
    assertThat(variance(draw(new Initializer.Msra(Initializer.FactorType.IN, 1)))).isCloseTo(1.0 / 300, within(1e-4));
    assertThat(mean(draw(new Initializer.Msra(Initializer.FactorType.AVG, 0.25)))).isCloseTo(0, within(1e-3));
  }

  @Test
  void orthogonalHasOrthonormalColumnsTimesScale() {
    int rows = 6;
    int cols = 4;
    float[] v = InitialValues.draw(new Initializer.Orthogonal(1.5), "dense1/weight", new long[] {rows, cols}, 3);
    for (int a = 0; a < cols; a++) {
      for (int b = 0; b < cols; b++) {
        double dot = 0;
        for (int r = 0; r < rows; r++) {
          dot += v[r * cols + a] * v[r * cols + b];
        }
        assertThat(dot).isCloseTo(a == b ? 2.25 : 0, within(1e-5));
      }
    }
    // wide matrix: orthonormal rows
    float[] w = InitialValues.draw(new Initializer.Orthogonal(1), "dense1/weight", new long[] {3, 5}, 3);
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        double dot = 0;
        for (int c = 0; c < 5; c++) {
          dot += w[a * 5 + c] * w[b * 5 + c];
        }
        assertThat(dot).isCloseTo(a == b ? 1 : 0, within(1e-5));
      }
    }
  }

  @Test
  void mixedPicksTheFirstMatchingRuleForWeightsAndBiases() {
    Initializer mixed =
        new Initializer.Mixed(List.of(
            new Initializer.Rule("dense0/.*", new Initializer.Constant(2)),
            new Initializer.Rule(".*bias", new Initializer.One()),
            new Initializer.Rule(".*", new Initializer.Zero())));
    assertThat(InitialValues.draw(mixed, "dense0/bias", new long[] {2}, 1)).containsOnly(2f);
    assertThat(InitialValues.draw(mixed, "dense1/bias", new long[] {2}, 1)).containsOnly(1f);
    assertThat(InitialValues.draw(mixed, "dense1/weight", new long[] {2, 2}, 1)).containsOnly(0f);
    Initializer partial = new Initializer.Mixed(List.of(new Initializer.Rule(".*bias", new Initializer.One())));
    assertThatThrownBy(() -> InitialValues.draw(partial, "dense0/weight", new long[] {1, 1}, 1))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("dense0/weight");
  }

  @Test
  void loadCopiesEarlierParametersByNameAndChecksShapes() {
    Parameter w = new Parameter("dense0/weight", new long[] {2, 1}, new float[] {2f, -3.4f});
    Parameter b = new Parameter("dense0/bias", new long[] {1}, new float[] {4.2f});
    Initializer load = new Initializer.Load(List.of(w, b));
    assertThat(InitialValues.draw(load, "dense0/weight", new long[] {2, 1}, 1)).containsExactly(2f, -3.4f);
    assertThat(InitialValues.draw(load, "dense0/bias", new long[] {1}, 1)).containsExactly(4.2f);
    assertThatThrownBy(() -> InitialValues.draw(load, "dense0/weight", new long[] {3, 1}, 1))
        .hasMessageContaining("shape [2, 1]");
    assertThatThrownBy(() -> InitialValues.draw(load, "dense1/weight", new long[] {2, 1}, 1))
        .hasMessageContaining("no parameter named dense1/weight");
  }

  @Test
  void drawsDependOnlyOnSeedAndName() {
    Initializer n = new Initializer.Normal(1);
    assertThat(InitialValues.draw(n, "dense0/weight", W, 3)).containsExactly(InitialValues.draw(n, "dense0/weight", W, 3));
    assertThat(InitialValues.draw(n, "dense0/weight", W, 4)).isNotEqualTo(InitialValues.draw(n, "dense0/weight", W, 3));
    assertThat(InitialValues.draw(n, "dense1/weight", W, 3)).isNotEqualTo(InitialValues.draw(n, "dense0/weight", W, 3));
  }
}
