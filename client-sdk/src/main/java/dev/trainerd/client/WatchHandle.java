package dev.trainerd.client;

/** Stops an asynchronous watch started by {@link TrainingJobs#watch(String, TrainingJobListener)}. */
@FunctionalInterface
public interface WatchHandle extends AutoCloseable {
  /** Stops watching (the job is not affected); the listener then gets a CANCELLED error. */
  @Override
  void close();
}
