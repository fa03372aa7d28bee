package dev.trainerd.sweeps;

import dev.trainerd.ml.EpochMetrics;
import java.time.Instant;

/** One entry of a sweep's event stream, numbered from 1 without gaps. */
public sealed interface SweepEvent {
  /** Position in the stream. */
  long sequence();

  /** When it happened. */
  Instant time();

  /** The sweep entered {@code sweep.state()}; {@code sweep} is the record right after. */
  record StateChanged(long sequence, Instant time, SweepRecord sweep) implements SweepEvent {}

  /** A trial started or ended; {@code trial} is its record right after. */
  record TrialChanged(long sequence, Instant time, TrialRecord trial) implements SweepEvent {}

  /** Trial {@code trial} finished an epoch. */
  record TrialEpoch(long sequence, Instant time, int trial, EpochMetrics metrics) implements SweepEvent {}

  /** Whether this event ends the stream: the sweep reaching a terminal state. */
  default boolean isTerminal() {
    return this instanceof StateChanged s && s.sweep().state().isTerminal();
  }
}
