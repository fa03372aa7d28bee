package dev.trainerd.sweeps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The median rule on hand-made curves. */
class MedianStoppingRuleTest {
  private final Objective accuracy = Objective.of(Objective.Metric.ACCURACY);
  private final Objective loss = Objective.of(Objective.Metric.LOSS);

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(MedianStoppingRule.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(MedianStoppingRule.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(MedianStoppingRule.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
    assertThat(MedianStoppingRule.median(List.of())).isNaN();
  }

  @Test
  void stopsOnlyTrialsWorseThanTheMedianAfterTheWarmUp() {
    MedianStoppingRule rule = new MedianStoppingRule(2, 2);
    List<Double> others = List.of(0.70, 0.80, 0.75);
    assertThat(rule.shouldStop(2, 0.10, others, accuracy)).as("in the warm-up").isFalse();
    assertThat(rule.shouldStop(3, 0.74, others, accuracy)).isTrue();
    assertThat(rule.shouldStop(3, 0.75, others, accuracy)).as("equal to the median").isFalse();
    assertThat(rule.shouldStop(3, 0.76, others, accuracy)).isFalse();
    assertThat(rule.shouldStop(3, 0.10, List.of(0.8), accuracy)).as("too few others").isFalse();
    assertThat(rule.shouldStop(3, 0.9, List.of(0.5, 0.6), loss)).as("loss: larger is worse").isTrue();
    assertThat(rule.shouldStop(3, 0.5, List.of(0.5, 0.6), loss)).isFalse();
    assertThat(rule.shouldStop(3, Double.NaN, List.of(0.5, 0.6), loss)).as("diverged").isTrue();
  }
}
