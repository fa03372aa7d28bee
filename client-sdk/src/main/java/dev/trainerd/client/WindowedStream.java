package dev.trainerd.client;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;

/**
 * A server-streaming call read as a blocking iterator, like a blocking stub's, but with a {@link
 * RequestWindow} of messages delivered ahead of the reader instead of one at a time. Failures are
 * thrown from {@link #hasNext} as the blocking stub throws them ({@link StatusRuntimeException});
 * an interrupt while waiting cancels the call and throws CANCELLED with the thread's interrupt
 * flag set again.
 *
 * @param <T> the response message
 */
final class WindowedStream<T> implements Iterator<T> {
  private static final Object END = new Object();

  /** Messages, then {@link #END} or a {@link Failure}, as the call delivered them. */
  private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
  private final RequestWindow window = new RequestWindow();
  /** What {@link #hasNext} took and {@link #next} has not handed out yet. */
  private Object ahead;

  private WindowedStream() {}

  /**
   * Starts {@code call} (an asynchronous stub's method) with {@code request}; the call takes the
   * current gRPC context, so cancelling that context cancels it.
   */
  static <R, T> WindowedStream<T> start(R request, BiConsumer<R, StreamObserver<T>> call) {
    WindowedStream<T> stream = new WindowedStream<>();
    call.accept(request, stream.new Receiver<R>());
    return stream;
  }

  @Override
  public boolean hasNext() {
    if (ahead == null) {
      ahead = take();
    }
    if (ahead instanceof Failure failure) {
      throw failure.status().asRuntimeException(failure.trailers());
    }
    return ahead != END;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    T message = (T) ahead;
    ahead = null;
    window.taken();
    return message;
  }

  private Object take() {
    try {
      return arrived.take();
    } catch (InterruptedException e) {
      window.cancel("interrupted while waiting for the next message", e);
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted while waiting for the next message").withCause(e).asRuntimeException();
    }
  }

  private record Failure(Status status, Metadata trailers) {}

  /** Queues what the call delivers, on gRPC's thread; never blocks it. */
  private final class Receiver<R> implements ClientResponseObserver<R, T> {
    @Override
    public void beforeStart(ClientCallStreamObserver<R> call) {
      window.start(call);
    }

    @Override
    public void onNext(T message) {
      arrived.add(message);
    }

    @Override
    public void onError(Throwable t) {
      arrived.add(new Failure(Status.fromThrowable(t), Status.trailersFromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      arrived.add(END);
    }
  }
}
