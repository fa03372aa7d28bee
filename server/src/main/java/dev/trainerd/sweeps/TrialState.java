package dev.trainerd.sweeps;

/** Where a trial is. */
public enum TrialState {
  /** Not started: waiting for the sweep's parallelism. */
  PENDING,
  /** Its job is queued or training. */
  RUNNING,
  /** Its job succeeded and saved a model. */
  SUCCEEDED,
  /** Its job failed. */
  FAILED,
  /** Cancelled with its sweep. */
  CANCELLED,
  /** Stopped by the median rule before its last epoch (its job ends CANCELLED). */
  EARLY_STOPPED;

  /** Whether the trial has ended. */
  public boolean isTerminal() {
    return this != PENDING && this != RUNNING;
  }
}
