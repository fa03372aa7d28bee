package dev.trainerd.jobs;

import dev.trainerd.ml.EpochMetrics;

import java.time.Instant;

/** One entry of a job's history, numbered from 1 without gaps. */
public sealed interface JobEvent {
  /** Position in the job's history. */
  long sequence();

  /** When it happened. */
  Instant time();

  /** The job entered {@code job.state()}; {@code job} is the record right after the change. */
  record StateChanged(long sequence, Instant time, TrainingJobRecord job) implements JobEvent {}

  /** An epoch finished. */
  record EpochFinished(long sequence, Instant time, EpochMetrics metrics) implements JobEvent {}

  /** A K-fold fold finished. */
  record FoldFinished(long sequence, Instant time, FoldResult fold) implements JobEvent {}

  /** Whether this event ends a watch: a change into a terminal state. */
  default boolean isTerminal() {
    return this instanceof StateChanged s && s.job().state().isTerminal();
  }
}
