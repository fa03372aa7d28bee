package dev.trainerd.client;

import io.grpc.Context;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A blocking iterator over a server-streamed watch: the history first, then live events until the
 * server ends the stream. Closing it stops watching; what is watched is not affected. Use in
 * try-with-resources when you may stop early.
 *
 * @param <T> the event message
 */
public class EventWatch<T> implements Iterator<T>, AutoCloseable {
  private final Context.CancellableContext context;
  private final Iterator<T> events;

  EventWatch(Context.CancellableContext context, Iterator<T> events) {
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
  public T next() {
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
