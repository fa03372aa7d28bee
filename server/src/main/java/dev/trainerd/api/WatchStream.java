package dev.trainerd.api;

import dev.trainerd.jobs.EventSink;
import dev.trainerd.jobs.JobManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One watcher of a job or a sweep: buffers the domain's events and sends them as the transport
 * allows, so a slow watcher never holds up the publisher (which calls {@link #onEvent} under its
 * lock). Events are turned into messages and sent on the {@code sender} executor, not on the
 * publisher's thread: a job's events are published by the thread that trains it, which would
 * otherwise serialise every epoch's message for every watcher between two epochs (about 30 ms of
 * the house-price job's training thread with one watcher).
 *
 * <p>The stream's monitor guards only the queue and the flags, never a message being made or
 * sent: one drainer at a time ({@code draining}) takes events off the queue under the monitor and
 * sends them outside it. When the drain held the monitor while sending, the training thread's
 * {@link #onEvent} waited for every message the sender had yet to send (20-45 ms of the
 * house-price job's 500 cross-validation epochs, with the job manager's lock held).
 *
 * <p>Progress events are sent in bursts: the first after a quiet spell schedules a drain {@link
 * #COALESCE_MILLIS} later, and what arrives meanwhile goes with it, so a job that finishes an
 * epoch every millisecond (five folds of house prices) wakes the sender, the transport and the
 * watcher once per burst instead of once per event. Any other event (a milestone: a fold's
 * result, a change of state) and the end of the stream are sent at once, with whatever is
 * pending before them: a watcher waiting for a result gets it without the delay.
 *
 * @param <E> the domain event
 * @param <P> the event's message
 */
final class WatchStream<E, P> implements EventSink<E> {
  /**
   * How long a progress event may wait for others to be sent with it: a house-price job's 500
   * epoch events go in about 6 bursts instead of 30 with 20 ms, and every burst wakes the sender,
   * the transport and the watcher (the server's sending took 21-22 ms of CPU per house-price job
   * with 100 or 250 ms against 35 with 20, on the two cores its job trains on). A person or a
   * dashboard still sees progress ten times a second, and milestones do not wait at all. Longer
   * delays only defer the events to the next milestone, where a client reading one message at a
   * time then spends 30-50 ms on 500 of them at once (BENCHMARKS.md, tenth and eleventh rounds).
   */
  static final long COALESCE_MILLIS = 100;

  private final ServerCallStreamObserver<P> call;
  private final Function<E, P> toProto;
  private final Predicate<E> progress;
  private final ScheduledExecutorService sender;
  private final ArrayDeque<E> pending = new ArrayDeque<>();
  private boolean ended;
  private boolean closed;
  /** Whether a drain is queued on the sender and has not started yet. */
  private boolean drainQueued;
  /** Whether a thread is sending: only one does at a time, so messages stay in order. */
  private boolean draining;
  private volatile JobManager.Watch watch;

  private WatchStream(
      ServerCallStreamObserver<P> call,
      Function<E, P> toProto,
      Predicate<E> progress,
      ScheduledExecutorService sender) {
    this.call = call;
    this.toProto = toProto;
    this.progress = progress;
    this.sender = sender;
  }

  /**
   * Answers a watch call: {@code subscribe} checks the request (errors become the call's status)
   * and starts the watch with the sink it is given; messages are made and sent on {@code sender}.
   * Events that {@code progress} accepts may wait up to {@link #COALESCE_MILLIS} to go with
   * others; the rest are sent at once.
   */
  static <E, P> void serve(
      StreamObserver<P> response,
      Function<E, P> toProto,
      Predicate<E> progress,
      ScheduledExecutorService sender,
      Function<EventSink<E>, JobManager.Watch> subscribe) {
    ServerCallStreamObserver<P> call = (ServerCallStreamObserver<P>) response;
    WatchStream<E, P> stream = new WatchStream<>(call, toProto, progress, sender);
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
    queueDrain(!progress.test(event));
  }

  @Override
  public void onEnd() {
    synchronized (this) {
      ended = true;
    }
    queueDrain(true);
  }

  /**
   * Sends what is pending on the sender, once per burst of events: {@link #COALESCE_MILLIS} from
   * now, or at once for a milestone or the end ({@code now}; a drain already scheduled for later
   * then finds nothing left, or what came after).
   */
  private void queueDrain(boolean now) {
    synchronized (this) {
      if (drainQueued && !now || closed) {
        return;
      }
      drainQueued = true;
    }
    sender.schedule(
        () -> {
          synchronized (this) {
            drainQueued = false;
          }
          drain();
        },
        now ? 0 : COALESCE_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Sends what is pending while the transport is ready, unless another thread already does (the
   * sender, or gRPC's on-ready callback). The decision to stop and the release of {@code
   * draining} are taken together under the monitor, so an event queued meanwhile is either seen
   * by this drainer or finds {@code draining} released and queues its own drain.
   */
  private void drain() {
    synchronized (this) {
      if (draining) {
        return;
      }
      draining = true;
    }
    boolean released = false;
    try {
      while (true) {
        E next;
        synchronized (this) {
          if (closed || pending.isEmpty() && !ended || !pending.isEmpty() && !call.isReady()) {
            draining = false;
            released = true;
            return;
          }
          next = pending.poll();
          if (next == null) {
            closed = true;
          }
        }
        if (next == null) {
          call.onCompleted();
          return;
        }
        call.onNext(toProto.apply(next));
      }
    } finally {
      if (!released) {
        synchronized (this) {
          draining = false;
        }
      }
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
