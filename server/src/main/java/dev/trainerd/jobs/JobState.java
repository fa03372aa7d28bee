package dev.trainerd.jobs;

import java.util.EnumSet;
import java.util.Set;

/** Where a job is in its life; transitions are checked by {@link #canMoveTo}. */
public enum JobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLING,
  CANCELLED;

  /** Whether the job has ended; terminal states never change again. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Whether the job holds or waits for a training slot (and so pins its data sets). */
  public boolean isActive() {
    return !isTerminal();
  }

  /** The legal transitions of the state machine. */
  public boolean canMoveTo(JobState next) {
    return allowedNext().contains(next);
  }

  private Set<JobState> allowedNext() {
    return switch (this) {
      case QUEUED -> EnumSet.of(RUNNING, CANCELLING, CANCELLED, FAILED);
      // RUNNING -> QUEUED: in a cluster, the job's replica was lost and the job is re-queued.
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLING, QUEUED);
      case CANCELLING -> EnumSet.of(CANCELLED, FAILED, SUCCEEDED);
      case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(JobState.class);
    };
  }
}
