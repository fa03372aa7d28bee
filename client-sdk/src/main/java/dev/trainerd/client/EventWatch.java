package dev.trainerd.client;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

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
   * Starts a watch: {@code call} (an asynchronous stub's method, its deadline already set) with
   * {@code request}, in a context of its own that {@link #close} cancels, read through a {@link
   * WindowedStream}; {@code wrap} makes the watch of the right kind.
   */
  static <R, T, W extends EventWatch<T>> W start(
      R request, BiConsumer<R, StreamObserver<T>> call, BiFunction<Context.CancellableContext, Iterator<T>, W> wrap) {
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      return wrap.apply(context, Calls.call(() -> WindowedStream.start(request, call)));
    } finally {
      context.detach(previous);
    }
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
