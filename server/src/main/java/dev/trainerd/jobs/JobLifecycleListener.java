package dev.trainerd.jobs;

import dev.trainerd.ml.EpochMetrics;

/** Hooks for observers of jobs (metrics, logs). Calls must be quick and must not block. */
public interface JobLifecycleListener {
  /** A job was accepted. */
  default void created(TrainingJobRecord job) {}

  /** A job started running. */
  default void started(TrainingJobRecord job) {}

  /** A running job finished an epoch. */
  default void epoch(TrainingJobRecord job, EpochMetrics metrics) {}

  /** A job reached a terminal state. */
  default void finished(TrainingJobRecord job) {}
}
