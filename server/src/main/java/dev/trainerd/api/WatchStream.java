package dev.trainerd.api;

import dev.trainerd.jobs.EventSink;
import dev.trainerd.jobs.JobManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * One watcher of a job or a sweep: buffers the domain's events and sends them as the transport
 * allows, so a slow watcher never holds up the publisher (which calls {@link #onEvent} under its
 * lock).
 *
 * @param <E> the domain event
 * @param <P> the event's message
 */
final class WatchStream<E, P> implements EventSink<E> {
  private final ServerCallStreamObserver<P> call;
  private final Function<E, P> toProto;
  private final ArrayDeque<P> pending = new ArrayDeque<>();
  private boolean ended;
  private boolean closed;
  private volatile JobManager.Watch watch;

  private WatchStream(ServerCallStreamObserver<P> call, Function<E, P> toProto) {
    this.call = call;
    this.toProto = toProto;
  }

  /**
   * Answers a watch call: {@code subscribe} checks the request (errors become the call's status)
   * and starts the watch with the sink it is given.
   */
  static <E, P> void serve(
      StreamObserver<P> response, Function<E, P> toProto, Function<EventSink<E>, JobManager.Watch> subscribe) {
    ServerCallStreamObserver<P> call = (ServerCallStreamObserver<P>) response;
    WatchStream<E, P> stream = new WatchStream<>(call, toProto);
    call.setOnReadyHandler(stream::drain);
    call.setOnCancelHandler(stream::cancelled);
    try {
      stream.watch = subscribe.apply(stream);
      if (stream.isClosed()) {
        stream.watch.close();
      }
    } catch (RuntimeException e) {
      synchronized (stream) {
        stream.closed = true;
      }
      response.onError(ErrorMapper.toStatusException(e));
    }
  }

  @Override
  public void onEvent(E event) {
    P proto = toProto.apply(event);
    synchronized (this) {
      pending.add(proto);
    }
    drain();
  }

  @Override
  public void onEnd() {
    synchronized (this) {
      ended = true;
    }
    drain();
  }

  private synchronized void drain() {
    if (closed) {
      return;
    }
    while (!pending.isEmpty() && call.isReady()) {
      call.onNext(pending.poll());
    }
    if (pending.isEmpty() && ended) {
      closed = true;
      call.onCompleted();
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /**
   * The client went away. The publisher's lock is taken only after this stream's monitor is
   * released: the publisher calls {@link #onEvent} with its lock held, so holding both here in
   * the other order would deadlock.
   */
  private void cancelled() {
    synchronized (this) {
      closed = true;
      pending.clear();
    }
    JobManager.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
