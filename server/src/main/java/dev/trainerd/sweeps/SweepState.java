package dev.trainerd.sweeps;

/** A sweep's lifecycle: RUNNING, then SUCCEEDED or FAILED, or CANCELLING and CANCELLED. */
public enum SweepState {
  /** Trials are pending or training. */
  RUNNING,
  /** Every trial ended and at least one succeeded. */
  SUCCEEDED,
  /** No trial succeeded, or the server restarted while it ran. */
  FAILED,
  /** Cancel requested; trials are stopping. */
  CANCELLING,
  /** Stopped by a cancel request. */
  CANCELLED;

  /** Whether the sweep has ended. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
