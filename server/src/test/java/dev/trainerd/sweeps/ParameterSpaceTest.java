package dev.trainerd.sweeps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Grid products and seeded random draws. */
class ParameterSpaceTest {

  @Test
  void gridIsTheCartesianProductWithTheFirstDimensionSlowest() {
    ParameterSpace space =
        new ParameterSpace(
            List.of(new Dimension.Grid("lr", List.of("0.01", "0.1")), new Dimension.Grid("hidden", List.of("128", "256", "512"))));
    assertThat(space.validate()).isEmpty();
    assertThat(space.gridSize()).isEqualTo(6);
    assertThat(space.defaultTrialCount()).isEqualTo(6);
    List<List<ParameterValue>> trials = space.sample(6, 1);
    assertThat(trials.stream().map(List::toString))
        .containsExactly(
            "[learning_rate=0.01, hidden_units=128]", "[learning_rate=0.01, hidden_units=256]",
            "[learning_rate=0.01, hidden_units=512]", "[learning_rate=0.1, hidden_units=128]",
            "[learning_rate=0.1, hidden_units=256]", "[learning_rate=0.1, hidden_units=512]");
  }

  @Test
  void randomDrawsAreReproducibleFromTheSeedAndStayInTheirRanges() {
    ParameterSpace space =
        new ParameterSpace(
            List.of(
                new Dimension.Grid("optimizer", List.of("sgd", "adam")),
                new Dimension.Range("weight-decay", 1e-5, 1e-1, Distribution.LOG_UNIFORM),
                new Dimension.Range("dropout", 0.1, 0.5, Distribution.UNIFORM),
                new Dimension.Range("epochs", 3, 5, Distribution.INTEGER)));
    assertThat(space.validate()).isEmpty();
    List<List<ParameterValue>> first = space.sample(200, 42);
    assertThat(space.sample(200, 42)).isEqualTo(first);
    assertThat(space.sample(200, 43)).isNotEqualTo(first);
    double logSum = 0;
    java.util.Set<String> epochs = new java.util.HashSet<>();
    for (int i = 0; i < first.size(); i++) {
      List<ParameterValue> t = first.get(i);
      assertThat(t.get(0).value()).isEqualTo(i % 2 == 0 ? "sgd" : "adam");
      double wd = Double.parseDouble(t.get(1).value());
      assertThat(wd).isBetween(1e-5, 1e-1);
      logSum += Math.log10(wd);
      assertThat(Double.parseDouble(t.get(2).value())).isBetween(0.1, 0.5);
      epochs.add(t.get(3).value());
    }
    // Log-uniform on [1e-5, 1e-1]: the mean decade is -3.
    assertThat(logSum / first.size()).isBetween(-3.3, -2.7);
    assertThat(epochs).containsExactlyInAnyOrder("3", "4", "5");
  }

  @Test
  void drawsFollowTheirDistributions() {
    SplittableRandom random = new SplittableRandom(7);
    Dimension.Range uniform = new Dimension.Range("lr", 0, 10, Distribution.UNIFORM);
    double sum = 0;
    for (int i = 0; i < 20_000; i++) {
      sum += ParameterSpace.draw(uniform, random);
    }
    assertThat(sum / 20_000).isBetween(4.9, 5.1);
    Dimension.Range integer = new Dimension.Range("epochs", 1, 2, Distribution.INTEGER);
    int ones = 0;
    for (int i = 0; i < 10_000; i++) {
      double v = ParameterSpace.draw(integer, random);
      assertThat(v).isIn(1.0, 2.0);
      ones += v == 1.0 ? 1 : 0;
    }
    assertThat(ones).isBetween(4_800, 5_200);
  }

  @Test
  void reportsEveryMistakeWithItsPath() {
    ParameterSpace space =
        new ParameterSpace(
            List.of(
                new Dimension.Grid("learning_rate", List.of("0.1", "-1", "fast")),
                new Dimension.Grid("colour", List.of("red")),
                new Dimension.Range("optimizer", 0, 1, Distribution.UNIFORM),
                new Dimension.Range("weight_decay", 0, 1e-2, Distribution.LOG_UNIFORM),
                new Dimension.Grid("lr", List.of("0.2"))));
    assertThat(space.validate())
        .extracting(v -> v.field())
        .containsExactly(
            "parameters[0].values.values[1]", "parameters[0].values.values[2]", "parameters[1].name",
            "parameters[2].range", "parameters[3].range.min", "parameters[4].name");
  }
}
