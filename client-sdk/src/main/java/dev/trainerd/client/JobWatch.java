package dev.trainerd.client;

import dev.trainerd.v1.TrainingJobEvent;
import io.grpc.Context;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A blocking iterator over a job's events: its history first, then live events until the
 * terminal state change (the last event). Closing it stops watching; the job is not affected.
 * Use in try-with-resources when you may stop early.
 */
public final class JobWatch implements Iterator<TrainingJobEvent>, AutoCloseable {
  private final Context.CancellableContext context;
  private final Iterator<TrainingJobEvent> events;

  JobWatch(Context.CancellableContext context, Iterator<TrainingJobEvent> events) {
    this.context = context;
    this.events = events;
  }

  /**
   * Blocks until the next event or the end of the stream.
   *
   * @throws TrainerException if the call fails
   */
  @Override
  public boolean hasNext() {
    return Calls.call(events::hasNext);
  }

  /** The next event. */
  @Override
  public TrainingJobEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return Calls.call(events::next);
  }

  /** Stops watching. */
  @Override
  public void close() {
    context.cancel(null);
  }
}
