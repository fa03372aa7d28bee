package dev.trainerd.ml;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A trained model and how it got there: plain values the caller may persist as it likes.
 *
 * @param spec the spec it was trained with
 * @param featureCount input features per example (before any polynomial expansion)
 * @param outputCount outputs per example (classes for multi-class losses, else 1)
 * @param classCount classes of the training labels, 0 when trained on real-valued targets
 * @param parameters learned tensors in layer order: {@code dense0/weight}, {@code dense0/bias}, ...
 * @param history one entry per epoch
 * @param finalTrain metrics on the whole training set after the last epoch (forward mode)
 * @param finalEvaluation metrics on the evaluation set after the last epoch, when one was given
 */
public record TrainedModel(
    TrainingSpec spec,
    int featureCount,
    int outputCount,
    int classCount,
    List<Parameter> parameters,
    List<EpochMetrics> history,
    EvaluationMetrics finalTrain,
    Optional<EvaluationMetrics> finalEvaluation) {

  public TrainedModel {
    Objects.requireNonNull(spec, "spec");
    parameters = List.copyOf(parameters);
    history = List.copyOf(history);
    Objects.requireNonNull(finalTrain, "finalTrain");
    Objects.requireNonNull(finalEvaluation, "finalEvaluation");
  }

  /** The parameter called {@code name} (e.g. {@code dense0/weight}). */
  public Parameter parameter(String name) {
    for (Parameter p : parameters) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no parameter named " + name);
  }

  /** Whether the model was trained on class labels (so it reports accuracy). */
  public boolean classLabels() {
    return classCount > 0;
  }
}
