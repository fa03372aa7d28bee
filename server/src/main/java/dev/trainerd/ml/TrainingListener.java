package dev.trainerd.ml;

import java.util.List;

/** Receives progress while a model trains; called on the training thread, so keep it quick. */
@FunctionalInterface
public interface TrainingListener {
  /** Called after every epoch, with that epoch's metrics. */
  void onEpoch(EpochMetrics metrics);

  /**
   * Called after every epoch of models trained side by side (cross-validation's folds) with each
   * model's metrics for it, in model order; one call per epoch, so a listener that records can
   * write the epoch once rather than once per model. By default {@link #onEpoch} for each.
   */
  default void onEpochs(List<EpochMetrics> metrics) {
    metrics.forEach(this::onEpoch);
  }

  /** A listener that ignores everything. */
  static TrainingListener none() {
    return metrics -> {};
  }
}
