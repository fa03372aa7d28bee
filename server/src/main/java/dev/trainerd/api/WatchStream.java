package dev.trainerd.api;

import dev.trainerd.jobs.EventSink;
import dev.trainerd.jobs.JobManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One watcher of a job or a sweep: buffers the domain's events and sends them as the transport
 * allows, so a slow watcher never holds up the publisher (which calls {@link #onEvent} under its
 * lock). Events are turned into messages and sent on the {@code sender} executor, not on the
 * publisher's thread: a job's events are published by the thread that trains it, which would
 * otherwise serialise every epoch's message for every watcher between two epochs (about 30 ms of
 * the house-price job's training thread with one watcher).
 *
 * @param <E> the domain event
 * @param <P> the event's message
 */
final class WatchStream<E, P> implements EventSink<E> {
  private final ServerCallStreamObserver<P> call;
  private final Function<E, P> toProto;
  private final Executor sender;
  private final ArrayDeque<E> pending = new ArrayDeque<>();
  private boolean ended;
  private boolean closed;
  /** Whether a drain is queued on the sender and has not started yet. */
  private boolean drainQueued;
  private volatile JobManager.Watch watch;

  private WatchStream(ServerCallStreamObserver<P> call, Function<E, P> toProto, Executor sender) {
    this.call = call;
    this.toProto = toProto;
    this.sender = sender;
  }

  /**
   * Answers a watch call: {@code subscribe} checks the request (errors become the call's status)
   * and starts the watch with the sink it is given; messages are made and sent on {@code sender}.
   */
  static <E, P> void serve(
      StreamObserver<P> response, Function<E, P> toProto, Executor sender,
      Function<EventSink<E>, JobManager.Watch> subscribe) {
    ServerCallStreamObserver<P> call = (ServerCallStreamObserver<P>) response;
    WatchStream<E, P> stream = new WatchStream<>(call, toProto, sender);
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
    synchronized (this) {
      if (closed) {
        return;
      }
      pending.add(event);
    }
    queueDrain();
  }

  @Override
  public void onEnd() {
    synchronized (this) {
      ended = true;
    }
    queueDrain();
  }

  /** Sends what is pending on the sender, once per burst of events. */
  private void queueDrain() {
    synchronized (this) {
      if (drainQueued || closed) {
        return;
      }
      drainQueued = true;
    }
    sender.execute(
        () -> {
          synchronized (this) {
            drainQueued = false;
          }
          drain();
        });
  }

  private synchronized void drain() {
    if (closed) {
      return;
    }
    while (!pending.isEmpty() && call.isReady()) {
      call.onNext(toProto.apply(pending.poll()));
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
