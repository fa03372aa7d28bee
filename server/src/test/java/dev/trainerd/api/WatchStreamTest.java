package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.EventSink;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A watch sends on its sender, in order, only while the transport is ready. */
class WatchStreamTest {

  /** The sender, counting the drains it is asked to run. */
  private final CountingSender sender = new CountingSender();

  private static final class CountingSender extends ScheduledThreadPoolExecutor {
    final AtomicInteger drainsScheduled = new AtomicInteger();

    CountingSender() {
      super(1, task -> new Thread(task, "test-watch-sender"));
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      drainsScheduled.incrementAndGet();
      return super.schedule(command, delay, unit);
    }
  }

  @AfterEach
  void stop() {
    sender.shutdownNow();
  }

  /** A call that records what it is sent and on which thread. */
  private static final class RecordingCall extends ServerCallStreamObserver<String> {
    final List<String> sent = new ArrayList<>();
    final List<String> threads = new ArrayList<>();
    final AtomicInteger sending = new AtomicInteger();
    final AtomicInteger mostSendingAtOnce = new AtomicInteger();
    /** When set, each send waits for it: a slow transport. */
    volatile CountDownLatch sendGate;
    volatile boolean ready = true;
    volatile boolean completed;
    Runnable onReady;
    Runnable onCancel;

    @Override
    public void onNext(String value) {
      mostSendingAtOnce.accumulateAndGet(sending.incrementAndGet(), Math::max);
      try {
        CountDownLatch gate = sendGate;
        if (gate != null && !gate.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (this) {
        sent.add(value);
        threads.add(Thread.currentThread().getName());
      }
      sending.decrementAndGet();
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
      onReady = handler;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    synchronized List<String> sent() {
      return List.copyOf(sent);
    }
  }

  /** Negative events are milestones; the rest are progress. */
  private EventSink<Integer> serve(RecordingCall call, AtomicBoolean closed) {
    AtomicReference<EventSink<Integer>> sink = new AtomicReference<>();
    WatchStream.<Integer, String>serve(
        call,
        i -> "event " + i,
        i -> i >= 0,
        sender,
        s -> {
          sink.set(s);
          return () -> closed.set(true);
        });
    return sink.get();
  }

  /** Waits until the sender has run every drain scheduled so far (they run in time order). */
  private void drained() throws Exception {
    sender.schedule(() -> {}, WatchStream.COALESCE_MILLIS + 20, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
    sender.drainsScheduled.decrementAndGet();
  }

  @Test
  void eventsAreMadeAndSentOnTheSenderInOrderThenTheCallCompletes() throws Exception {
    RecordingCall call = new RecordingCall();
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    for (int i = 1; i <= 100; i++) {
      sink.onEvent(i);
    }
    sink.onEnd();
    drained();
    assertThat(call.sent()).hasSize(100).startsWith("event 1", "event 2").endsWith("event 100");
    assertThat(call.threads).containsOnly("test-watch-sender");
    assertThat(call.completed).isTrue();
  }

  @Test
  void aWatcherThatIsNotReadyGetsItsEventsWhenTheTransportIsReadyAgain() throws Exception {
    RecordingCall call = new RecordingCall();
    call.ready = false;
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    sink.onEvent(1);
    sink.onEvent(2);
    sink.onEnd();
    drained();
    assertThat(call.sent()).isEmpty();
    assertThat(call.completed).isFalse();
    call.ready = true;
    call.onReady.run();
    assertThat(call.sent()).containsExactly("event 1", "event 2");
    assertThat(call.completed).isTrue();
  }

  @Test
  void aCancelledWatchStopsItsSubscriptionAndSendsNothingMore() throws Exception {
    RecordingCall call = new RecordingCall();
    AtomicBoolean closed = new AtomicBoolean();
    EventSink<Integer> sink = serve(call, closed);
    call.onCancel.run();
    assertThat(closed).isTrue();
    sink.onEvent(1);
    sink.onEnd();
    drained();
    assertThat(call.sent()).isEmpty();
    assertThat(call.completed).isFalse();
  }

  @Test
  void thePublisherIsNotHeldUpWhileTheSenderIsSending() throws Exception {
    RecordingCall call = new RecordingCall();
    CountDownLatch gate = new CountDownLatch(1);
    call.sendGate = gate;
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    sink.onEvent(1);
    // The sender is now stuck sending event 1; the publisher (a training thread, holding the job
    // manager's lock) must still be able to queue more.
    ExecutorService publisher = Executors.newSingleThreadExecutor();
    try {
      Future<?> published =
          publisher.submit(
              () -> {
                for (int i = 2; i <= 50; i++) {
                  sink.onEvent(i);
                }
                sink.onEnd();
              });
      published.get(5, TimeUnit.SECONDS);
    } finally {
      publisher.shutdownNow();
    }
    gate.countDown();
    drained();
    drained();
    assertThat(call.sent()).hasSize(50).startsWith("event 1", "event 2").endsWith("event 50");
    assertThat(call.completed).isTrue();
  }

  @Test
  void sendsStayInOrderAndOneAtATimeWhenTheTransportFlapsUnderLoad() throws Exception {
    RecordingCall call = new RecordingCall();
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    int events = 20_000;
    AtomicBoolean publishing = new AtomicBoolean(true);
    // gRPC's on-ready callbacks arrive on its own threads, concurrently with the sender.
    Thread transport =
        new Thread(
            () -> {
              while (publishing.get()) {
                call.ready = !call.ready;
                call.onReady.run();
              }
              call.ready = true;
              call.onReady.run();
            });
    transport.start();
    for (int i = 1; i <= events; i++) {
      sink.onEvent(i);
    }
    sink.onEnd();
    publishing.set(false);
    transport.join(10_000);
    drained();
    call.onReady.run();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= events; i++) {
      expected.add("event " + i);
    }
    assertThat(call.sent()).isEqualTo(expected);
    assertThat(call.mostSendingAtOnce).hasValue(1);
    assertThat(call.completed).isTrue();
  }

  @Test
  void aBurstOfEventsIsSentInOneDrainAndTheEndAtOnce() throws Exception {
    RecordingCall call = new RecordingCall();
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    for (int i = 1; i <= 1000; i++) {
      sink.onEvent(i);
    }
    // A thousand events within far less than the coalescing delay: one drain for them, however
    // the sender's thread is scheduled, where one per event would be a thousand wake-ups.
    assertThat(sender.drainsScheduled.get()).isLessThanOrEqualTo(2);
    drained();
    assertThat(call.sent()).hasSize(1000).startsWith("event 1").endsWith("event 1000");
    sink.onEnd();
    // Runs after any drain due now, before one due later: the end must not wait for the delay.
    sender.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(call.completed).isTrue();
  }

  @Test
  void aMilestoneGoesAtOnceWithTheProgressPendingBeforeIt() throws Exception {
    RecordingCall call = new RecordingCall();
    EventSink<Integer> sink = serve(call, new AtomicBoolean());
    sink.onEvent(1);
    sink.onEvent(2);
    sink.onEvent(-3);
    // Runs after any drain due now, before one due later: the milestone must not wait.
    sender.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(call.sent()).containsExactly("event 1", "event 2", "event -3");
    sink.onEvent(4);
    drained();
    assertThat(call.sent()).endsWith("event 4");
  }
}
