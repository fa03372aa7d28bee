package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.EventSink;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A watch sends on its sender, in order, only while the transport is ready. */
class WatchStreamTest {

  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(task -> new Thread(task, "test-watch-sender"));

  @AfterEach
  void stop() {
    sender.shutdownNow();
  }

  /** A call that records what it is sent and on which thread. */
  private static final class RecordingCall extends ServerCallStreamObserver<String> {
    final List<String> sent = new ArrayList<>();
    final List<String> threads = new ArrayList<>();
    volatile boolean ready = true;
    volatile boolean completed;
    Runnable onReady;
    Runnable onCancel;

    @Override
    public synchronized void onNext(String value) {
      sent.add(value);
      threads.add(Thread.currentThread().getName());
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

  private EventSink<Integer> serve(RecordingCall call, AtomicBoolean closed) {
    AtomicReference<EventSink<Integer>> sink = new AtomicReference<>();
    WatchStream.<Integer, String>serve(
        call,
        i -> "event " + i,
        sender,
        s -> {
          sink.set(s);
          return () -> closed.set(true);
        });
    return sink.get();
  }

  private void drained() throws Exception {
    sender.submit(() -> {}).get(5, TimeUnit.SECONDS);
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
}
