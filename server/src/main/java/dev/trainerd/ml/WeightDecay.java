package dev.trainerd.ml;

/**
 * L2 weight decay: {@code lambda * ||w||^2 / 2} added to the minibatch's mean loss, so each step
 * also shrinks the weights by {@code lr * lambda * w} (the book's {@code l2_penalty}).
 *
 * @param lambda >= 0; 0 disables it
 * @param includeBiases also penalise biases (the book does not)
 */
public record WeightDecay(double lambda, boolean includeBiases) {
  /** No weight decay. */
  public static WeightDecay none() {
    return new WeightDecay(0, false);
  }

  /** Decay of the weights only. */
  public static WeightDecay ofWeights(double lambda) {
    return new WeightDecay(lambda, false);
  }
}
