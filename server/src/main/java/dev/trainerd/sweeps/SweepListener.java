package dev.trainerd.sweeps;

/** Hooks for observers of sweeps (metrics). Called outside the manager's lock; must not block. */
public interface SweepListener {
  /** A sweep was accepted. */
  void created(SweepRecord sweep);

  /** A trial ended (succeeded, failed, cancelled or stopped early). */
  void trialEnded(TrialRecord trial);

  /** A sweep reached a terminal state. */
  void finished(SweepRecord sweep);
}
