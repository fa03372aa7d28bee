package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;

/** The update rule applied to each parameter after every minibatch gradient. */
public sealed interface Optimizer {

  /** The snake_case name of this optimiser, as the API spells it. */
  String kind();

  /** Violations of the parameters, paths relative to the optimiser. */
  default List<FieldViolation> validate() {
    return List.of();
  }

  /** Minibatch SGD, the chapter's: {@code w -= lr * mean gradient}. */
  record Sgd() implements Optimizer {
    @Override
    public String kind() {
      return "sgd";
    }
  }

  /**
   * SGD with momentum: {@code v = momentum * v + g; w -= lr * v} (Nesterov: {@code w -= lr *
   * (g + momentum * v)}).
   *
   * @param momentum in [0, 1)
   * @param nesterov use Nesterov's look-ahead
   */
  record Momentum(double momentum, boolean nesterov) implements Optimizer {
    @Override
    public String kind() {
      return "momentum";
    }

    @Override
    public List<FieldViolation> validate() {
      return momentum >= 0 && momentum < 1
          ? List.of()
          : List.of(new FieldViolation("momentum.momentum", "must be in [0, 1), was " + momentum));
    }
  }

  /**
   * Adam (Kingma and Ba) with bias correction, as the book's house-price model uses.
   *
   * @param beta1 in [0, 1), default 0.9
   * @param beta2 in [0, 1), default 0.999
   * @param epsilon > 0, default 1e-8
   */
  record Adam(double beta1, double beta2, double epsilon) implements Optimizer {
    /** Adam with the usual defaults. */
    public static Adam defaults() {
      return new Adam(0.9, 0.999, 1e-8);
    }

    @Override
    public String kind() {
      return "adam";
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      if (!(beta1 >= 0 && beta1 < 1)) {
        out.add(new FieldViolation("adam.beta1", "must be in [0, 1), was " + beta1));
      }
      if (!(beta2 >= 0 && beta2 < 1)) {
        out.add(new FieldViolation("adam.beta2", "must be in [0, 1), was " + beta2));
      }
      if (!(epsilon > 0 && Double.isFinite(epsilon))) {
        out.add(new FieldViolation("adam.epsilon", "must be > 0, was " + epsilon));
      }
      return out;
    }
  }
}
