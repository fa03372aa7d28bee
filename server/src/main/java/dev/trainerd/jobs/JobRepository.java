package dev.trainerd.jobs;

import java.util.List;

/**
 * Durable storage of job records and their histories. Every method returns only once the data is
 * on stable storage, except {@link #appendEvents}, which may buffer until the next {@link #save}
 * or {@link #flush}: a crash may lose the last epochs' events of a running job, never a state
 * change.
 */
public interface JobRepository {
  /** Stores (creates or replaces) a job record durably. */
  void save(TrainingJobRecord job);

  /** Appends history entries of a job. */
  void appendEvents(String jobId, List<JobEvent> events);

  /** Makes every appended event durable. */
  void flush();

  /** Every stored job. */
  List<TrainingJobRecord> loadAll();

  /** A job's stored history in sequence order; entries cut short by a crash are dropped. */
  List<JobEvent> loadEvents(String jobId);

  /** Removes a job and its history. */
  void delete(String jobId);
}
