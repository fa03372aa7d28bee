package dev.trainerd.jobs;

/**
 * Receives what a watch sees: a job's or a sweep's events in order, then the end. Called on the
 * publisher's thread, often under its lock, so implementations must only hand events on.
 *
 * @param <E> the event type
 */
public interface EventSink<E> {
  /** The next event. */
  void onEvent(E event);

  /** No more events will come (the job or sweep ended). */
  void onEnd();
}
