package dev.trainerd.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void accuracyTakesTheArgmaxOrTheSignOfASingleOutput() {
    float[] outputs = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f};
    assertThat(Metrics.accuracy(outputs, 3, new int[] {1, 1})).isEqualTo(0.5);
    assertThat(Metrics.accuracy(new float[] {2f, -1f, 0.5f}, 1, new int[] {1, 0, 0})).isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void rmseAndTheBooksLogRmseWithClipping() {
    // errors 1 and -1: rmse 1
    assertThat(Metrics.rmse(new float[] {3f, 1f}, new float[] {2f, 2f})).isEqualTo(1.0);
    // predictions 0.5 clip to 1: log(1) - log(e) = -1; log(e^2) - log(e) = 1 -> 1
    float e = (float) Math.E;
    assertThat(Metrics.logRmse(new float[] {0.5f, e * e}, new float[] {e, e})).isCloseTo(1.0, within(1e-6));
    assertThat(Metrics.logRmse(new float[] {2f}, new float[] {-1f})).isNaN();
  }

  @Test
  void lossesAndNorm() {
    assertThat(Metrics.meanSquaredLoss(new float[] {1f, 3f}, new float[] {2f, 0.5f})).isCloseTo((0.5 + 3.125) / 2, within(1e-9));
    // logits (1, 2, 3), class 2: 0.4076059
    assertThat(Metrics.meanSoftmaxCrossEntropy(new float[] {1f, 2f, 3f}, 3, new int[] {2})).isCloseTo(0.4076059, within(1e-6));
    List<Parameter> params = List.of(
        new Parameter("dense0/weight", new long[] {2, 1}, new float[] {3f, 4f}),
        new Parameter("dense0/bias", new long[] {1}, new float[] {100f}));
    assertThat(Metrics.weightL2Norm(params)).isEqualTo(5.0);
  }
}
