package dev.trainerd.jobs;

import dev.trainerd.ml.EpochMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One entry of a job's history, numbered from 1 without gaps. */
public sealed interface JobEvent {
  /** Position in the job's history. */
  long sequence();

  /** When it happened. */
  Instant time();

  /** The job entered {@code job.state()}; {@code job} is the record right after the change. */
  record StateChanged(long sequence, Instant time, TrainingJobRecord job) implements JobEvent {}

  /** An epoch finished. */
  record EpochFinished(long sequence, Instant time, EpochMetrics metrics) implements JobEvent {
    /** One event per metrics, in order, numbered from {@code firstSequence}. */
    static List<JobEvent> all(long firstSequence, Instant time, List<EpochMetrics> metrics) {
      List<JobEvent> events = new ArrayList<>(metrics.size());
      for (EpochMetrics m : metrics) {
        events.add(new EpochFinished(firstSequence + events.size(), time, m));
      }
      return events;
    }
  }

  /** A K-fold fold finished. */
  record FoldFinished(long sequence, Instant time, FoldResult fold) implements JobEvent {}

  /** Whether this event ends a watch: a change into a terminal state. */
  default boolean isTerminal() {
    return this instanceof StateChanged s && s.job().state().isTerminal();
  }
}
