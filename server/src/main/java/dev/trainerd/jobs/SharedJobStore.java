package dev.trainerd.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Jobs in a store that several replicas share (cluster mode). The store is the only truth about
 * a job: replicas keep no copy they act on. Every method is atomic and durable when it returns.
 * Changes to one job are serialised by the store (a row lock), and each change is computed from
 * the job as it is at that moment, so two replicas never overwrite each other's changes.
 *
 * <p>A running job is held by a {@link Lease}: the replica that claimed it and the claim's attempt
 * number. Every write a replica makes about its running job names the lease; once the lease has
 * expired and the job was re-queued (or failed), such writes change nothing. That is the fencing
 * that keeps a replica which lost its lease from writing over the job's next attempt.
 */
public interface SharedJobStore {

  /**
   * Who holds a running job.
   *
   * @param owner the replica that claimed it
   * @param attempt how many times the job was claimed, this claim included (the fencing token)
   */
  record Lease(String owner, int attempt) {
    public Lease {
      Objects.requireNonNull(owner, "owner");
    }
  }

  /** A job this replica just claimed: the record after its change to RUNNING, and the lease. */
  record Claim(TrainingJobRecord job, Lease lease) {}

  /** An active job whose lease ran out, with the attempt that held it. */
  record Expired(String jobId, int attempt) {}

  /** A replica as the others see it. */
  record Replica(String id, boolean hasGpu, int capacity, int running) {}

  /** Which jobs a change applies to; checked under the job's lock. */
  sealed interface Guard {
    /** The job is in one of these states. */
    record InState(Set<JobState> states) implements Guard {
      public InState {
        states = Set.copyOf(states);
      }
    }

    /** The job is RUNNING or CANCELLING and still held by this lease. */
    record Held(Lease lease) implements Guard {}

    /** The job is RUNNING or CANCELLING, held by this attempt, and its lease has run out. */
    record LeaseExpired(int attempt) implements Guard {}
  }

  /**
   * A change of one job, computed from its current record.
   *
   * @param job the record after the change
   * @param events history entries to append, numbered from the {@code nextSequence} the change
   *     was given
   */
  record Result(TrainingJobRecord job, List<JobEvent> events) {
    public Result {
      events = List.copyOf(events);
    }
  }

  /** Computes a job's change from its current record and the next free history number. */
  @FunctionalInterface
  interface Change {
    Result apply(TrainingJobRecord current, long nextSequence);
  }

  /**
   * Stores a new QUEUED job with its first history entry. When the job has a request id and a
   * job with that request id exists, nothing is stored and that job is returned.
   */
  TrainingJobRecord insert(TrainingJobRecord job, JobEvent first);

  /** The job, if stored. */
  Optional<TrainingJobRecord> find(String id);

  /** Every job in one of {@code states}, or every job when {@code states} is empty. */
  List<TrainingJobRecord> list(Set<JobState> states);

  /** Jobs in this state. */
  long count(JobState state);

  /** Whether a queued or running job reads this data set. */
  boolean isDatasetInUse(String datasetId);

  /**
   * Changes one job if {@code guard} holds. A change into QUEUED or a terminal state releases the
   * lease.
   *
   * @return the changed record, or empty when the job is missing or the guard does not hold
   */
  Optional<TrainingJobRecord> update(String id, Guard guard, Change change);

  /**
   * Claims the oldest QUEUED job (skipping jobs other replicas are claiming at this moment; jobs
   * that need a GPU only when {@code hasGpu}), moves it to RUNNING with {@code toRunning} and
   * leases it to {@code owner} for {@code lease}.
   */
  Optional<Claim> claim(String owner, boolean hasGpu, Duration lease, Change toRunning);

  /**
   * Extends a held lease by {@code duration} from now.
   *
   * @return the job's state (CANCELLING tells the holder to stop), or empty when the lease is no
   *     longer held: the job was re-queued, failed or deleted meanwhile
   */
  Optional<JobState> renew(String jobId, Lease lease, Duration duration);

  /** Up to {@code limit} RUNNING or CANCELLING jobs whose lease has run out. */
  List<Expired> expired(int limit);

  /** A job's history entries after {@code afterSequence}, in order. */
  List<JobEvent> events(String jobId, long afterSequence);

  /** For each job id, its history entries after the given sequence number (jobs with none left out). */
  Map<String, List<JobEvent>> events(Map<String, Long> afterSequence);

  /** Deletes a job in a terminal state with its history; false when it is missing or active. */
  boolean deleteFinished(String id);

  /** Records that {@code replica} is alive, for {@code ttl}. */
  void announce(Replica replica, Duration ttl);

  /** Removes a replica's announcement (it is shutting down). */
  void withdraw(String replicaId);

  /** Whether a live replica has a GPU. */
  boolean anyReplicaWithGpu();
}
