package dev.trainerd.client;

import dev.trainerd.v1.EpochMetrics;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;

/**
 * Receives a watched job's events on a gRPC thread: history first, then live events, then
 * exactly one of {@link #onFinished} or {@link #onError}. Keep the callbacks quick.
 */
public interface TrainingJobListener {
  /** Every event, in order. The default passes epochs to {@link #onEpoch}. */
  default void onEvent(TrainingJobEvent event) {
    if (event.hasEpoch()) {
      onEpoch(event.getEpoch());
    }
  }

  /** An epoch finished (called by the default {@link #onEvent}). */
  default void onEpoch(EpochMetrics epoch) {}

  /** The job reached a terminal state (SUCCEEDED, FAILED or CANCELLED). */
  void onFinished(TrainingJob job);

  /** Watching failed (the job itself may still be running), or it was stopped. */
  void onError(TrainerException error);
}
