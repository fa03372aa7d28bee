package dev.trainerd.ml;

/** Receives progress while a model trains; called on the training thread, so keep it quick. */
@FunctionalInterface
public interface TrainingListener {
  /** Called after every epoch, with that epoch's metrics. */
  void onEpoch(EpochMetrics metrics);

  /** A listener that ignores everything. */
  static TrainingListener none() {
    return metrics -> {};
  }
}
