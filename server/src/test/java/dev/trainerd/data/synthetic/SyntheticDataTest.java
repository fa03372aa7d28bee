package dev.trainerd.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import org.junit.jupiter.api.Test;

class SyntheticDataTest {

  private static float[] labels(Examples e) {
    return ((Examples.Labels.Regression) e.labels()).values();
  }

  @Test
  void linearDataFollowsTheModelUpToTheNoise() {
    Examples e = SyntheticData.linear(new SyntheticSpec.Linear(new double[] {2, -3.4}, 4.2, 0, 50, 1));
    assertThat(e.count()).isEqualTo(50);
    assertThat(e.featureCount()).isEqualTo(2);
    for (int i = 0; i < 50; i++) {
      float[] x = e.row(i);
      assertThat((double) labels(e)[i]).isCloseTo(2 * x[0] - 3.4 * x[1] + 4.2, within(1e-4));
    }
  }

  @Test
  void sameSeedSameData() {
    SyntheticSpec.Linear spec = SyntheticSpec.Linear.book(5);
    assertThat(SyntheticData.linear(spec).features()).containsExactly(SyntheticData.linear(spec).features());
    assertThat(SyntheticData.linear(SyntheticSpec.Linear.book(6)).features())
        .isNotEqualTo(SyntheticData.linear(spec).features());
  }

  @Test
  void linearNoiseHasTheRequestedStandardDeviation() {
    Examples e = SyntheticData.linear(new SyntheticSpec.Linear(new double[] {1}, 0, 0.5, 20_000, 2));
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < e.count(); i++) {
      double r = labels(e)[i] - e.features()[i];
      sum += r;
      sq += r * r;
    }
    double mean = sum / e.count();
    assertThat(mean).isCloseTo(0, within(0.02));
    assertThat(Math.sqrt(sq / e.count() - mean * mean)).isCloseTo(0.5, within(0.02));
  }

  @Test
  void polynomialFeaturesArePowersOverFactorials() {
    SplitExamples s = SyntheticData.polynomial(new SyntheticSpec.Polynomial(5, new double[] {5, 1.2, -3.4, 5.6}, 3, 2, 0, true, 4));
    assertThat(s.train().count()).isEqualTo(3);
    assertThat(s.test().count()).isEqualTo(2);
    float[] row = s.train().row(1);
    double x = row[1];
    assertThat(row[0]).isEqualTo(1f);
    assertThat((double) row[2]).isCloseTo(x * x / 2, within(1e-6));
    assertThat((double) row[3]).isCloseTo(x * x * x / 6, within(1e-6));
    assertThat((double) row[4]).isCloseTo(x * x * x * x / 24, within(1e-6));
    double y = 5 + 1.2 * x - 3.4 * x * x / 2 + 5.6 * x * x * x / 6;
    assertThat((double) labels(s.train())[1]).isCloseTo(y, within(1e-4));
  }

  @Test
  void rawPolynomialDataHasTheSameXAndLabels() {
    SplitExamples expanded = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(true, 9));
    SplitExamples raw = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(false, 9));
    assertThat(raw.train().featureCount()).isEqualTo(1);
    assertThat(expanded.train().featureCount()).isEqualTo(20);
    assertThat(raw.train().features()[7]).isEqualTo(expanded.train().row(7)[1]);
    assertThat(labels(raw.test())).containsExactly(labels(expanded.test()));
  }

  @Test
  void highDimensionalDataHasTheBooksShape() {
    SplitExamples s = SyntheticData.highDimensionalLinear(SyntheticSpec.HighDimensionalLinear.book(1));
    assertThat(s.train().count()).isEqualTo(20);
    assertThat(s.test().count()).isEqualTo(100);
    assertThat(s.train().featureCount()).isEqualTo(200);
    float[] x = s.test().row(0);
    double y = 0.05;
    for (float v : x) {
      y += 0.01 * v;
    }
    assertThat((double) labels(s.test())[0]).isCloseTo(y, within(0.05));
  }

  @Test
  void invalidSpecsReportEveryFieldPath() {
    assertThat(new SyntheticSpec.Linear(new double[0], Double.NaN, -1, 0, 1).validate())
        .extracting(FieldViolation::field)
        .containsExactly("linear.weights", "linear.bias", "linear.noise", "linear.count");
    assertThat(new SyntheticSpec.Polynomial(0, new double[] {1, 2}, 0, 1, 0.1, true, 1).validate())
        .extracting(FieldViolation::field)
        .containsExactly("polynomial.max_degree", "polynomial.true_weights", "polynomial.train_count");
    assertThat(new SyntheticSpec.HighDimensionalLinear(20, 100, 0, 0.01, 0.05, -0.1, 1).validate())
        .extracting(FieldViolation::field)
        .containsExactly("high_dimensional_linear.num_inputs", "high_dimensional_linear.noise");
    assertThatThrownBy(() -> SyntheticData.linear(new SyntheticSpec.Linear(new double[] {1}, 0, 0, -5, 1)))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .hasMessageContaining("linear.count");
  }
}
