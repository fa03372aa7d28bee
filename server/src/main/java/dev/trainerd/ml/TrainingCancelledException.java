package dev.trainerd.ml;

/**
 * Training stopped because its {@link CancellationSignal} said so. The partial model is discarded;
 * {@link #completedEpochs()} says how far it got.
 */
public final class TrainingCancelledException extends RuntimeException {
  private final int completedEpochs;

  public TrainingCancelledException(int completedEpochs) {
    super("training cancelled after " + completedEpochs + " completed epoch(s)", null, false, false);
    this.completedEpochs = completedEpochs;
  }

  /** Epochs that had finished when cancellation was noticed. */
  public int completedEpochs() {
    return completedEpochs;
  }
}
