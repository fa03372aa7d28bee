package dev.trainerd.ml;

/** Asked between training steps whether the job should stop. */
@FunctionalInterface
public interface CancellationSignal {
  /** True once the job should stop as soon as possible. */
  boolean isCancelled();

  /** A signal that never cancels. */
  static CancellationSignal never() {
    return () -> false;
  }
}
