package dev.trainerd.jobs;

/**
 * Turns job records and events into bytes and back, for a {@link JobRepository}. The embedded
 * server stores the public API's messages, so stored jobs read back exactly as clients saw them.
 */
public interface JobCodec {
  /** Encodes a job record. */
  byte[] encodeJob(TrainingJobRecord job);

  /** Decodes a job record written by {@link #encodeJob}. */
  TrainingJobRecord decodeJob(byte[] bytes);

  /** Encodes one history entry. */
  byte[] encodeEvent(JobEvent event);

  /** Decodes a history entry written by {@link #encodeEvent}. */
  JobEvent decodeEvent(byte[] bytes);
}
