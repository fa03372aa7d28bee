package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.trainerd.v1.StateChange;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's watches read with a request window ({@link WindowedStream}, {@link RequestWindow})
 * against a real gRPC server on a local socket whose watch sends what each test scripts.
 */
class WatchStreamingTest {
  private final AtomicReference<Script> script = new AtomicReference<>();
  private final CountDownLatch serverSawCancel = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  /** What the server's watch does with its response stream. */
  private interface Script {
    void run(ServerCallStreamObserver<TrainingJobEvent> response);
  }

  private TrainerClient start(Script watch) throws Exception {
    script.set(watch);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new TrainingServiceGrpc.TrainingServiceImplBase() {
                  @Override
                  public void watchTrainingJob(WatchTrainingJobRequest request, StreamObserver<TrainingJobEvent> response) {
                    ServerCallStreamObserver<TrainingJobEvent> call = (ServerCallStreamObserver<TrainingJobEvent>) response;
                    call.setOnCancelHandler(serverSawCancel::countDown);
                    script.get().run(call);
                  }
                })
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    return TrainerClient.forChannel(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static TrainingJobEvent event(long sequence) {
    return TrainingJobEvent.newBuilder().setSequence(sequence).build();
  }

  private static TrainingJobEvent succeeded(long sequence) {
    return TrainingJobEvent.newBuilder()
        .setSequence(sequence)
        .setStateChange(
            StateChange.newBuilder()
                .setState(TrainingJob.State.SUCCEEDED)
                .setJob(TrainingJob.newBuilder().setName("trainingJobs/j").setState(TrainingJob.State.SUCCEEDED)))
        .build();
  }

  @Test
  void aWatchDeliversEveryEventInOrderAcrossManyWindows() throws Exception {
    int count = 20 * RequestWindow.SIZE + 7;
    TrainerClient client =
        start(
            response -> {
              for (int i = 1; i < count; i++) {
                response.onNext(event(i));
              }
              response.onNext(succeeded(count));
              response.onCompleted();
            });
    List<Long> sequences = new ArrayList<>();
    try (JobWatch events = client.jobs().watch("j")) {
      while (events.hasNext()) {
        sequences.add(events.next().getSequence());
      }
      assertThat(events.hasNext()).isFalse();
    }
    assertThat(sequences).hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(sequences.get(i)).isEqualTo(i + 1L);
    }
    assertThat(client.jobs().awaitCompletion("j", Duration.ofSeconds(30)).getState())
        .isEqualTo(TrainingJob.State.SUCCEEDED);
  }

  @Test
  void aFailureAfterSomeEventsIsThrownWithItsReasonOnceTheyAreRead() throws Exception {
    com.google.rpc.Status failure =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.NOT_FOUND.value())
            .setMessage("trainingJobs/j does not exist")
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("JOB_NOT_FOUND").setDomain("trainerd.dev").build()))
            .build();
    TrainerClient client =
        start(
            response -> {
              for (int i = 1; i <= 3; i++) {
                response.onNext(event(i));
              }
              response.onError(StatusProto.toStatusRuntimeException(failure));
            });
    try (JobWatch events = client.jobs().watch("j")) {
      for (int i = 1; i <= 3; i++) {
        assertThat(events.next().getSequence()).isEqualTo(i);
      }
      assertThatThrownBy(events::hasNext)
          .isInstanceOfSatisfying(
              TrainerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(e.reason()).isEqualTo("JOB_NOT_FOUND");
              });
    }
  }

  @Test
  void closingAWatchCancelsItsCall() throws Exception {
    TrainerClient client = start(response -> response.onNext(event(1)));
    JobWatch events = client.jobs().watch("j");
    assertThat(events.next().getSequence()).isEqualTo(1);
    events.close();
    assertThat(serverSawCancel.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anInterruptWhileWaitingCancelsTheCallAndKeepsTheFlag() throws Exception {
    TrainerClient client = start(response -> response.onNext(event(1)));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagKept = new AtomicReference<>();
    CountDownLatch firstRead = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (JobWatch events = client.jobs().watch("j")) {
                events.next();
                firstRead.countDown();
                events.hasNext();
              } catch (RuntimeException e) {
                thrown.set(e);
                flagKept.set(Thread.currentThread().isInterrupted());
              }
            });
    reader.start();
    assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue();
    reader.interrupt();
    reader.join(10_000);
    assertThat(thrown.get())
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
    assertThat(flagKept.get()).isTrue();
    assertThat(serverSawCancel.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aWatchPastItsDeadlineEndsWithDeadlineExceeded() throws Exception {
    TrainerClient client = start(response -> response.onNext(event(1)));
    assertThatThrownBy(() -> client.jobs().awaitCompletion("j", Duration.ofMillis(300)))
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void theWindowLetsHalfAWindowMoreThroughEachTimeHalfOfItIsRead() {
    RecordingCall call = new RecordingCall();
    AtomicReference<ClientResponseObserver<String, Integer>> receiver = new AtomicReference<>();
    WindowedStream<Integer> stream =
        WindowedStream.start(
            "request",
            (request, observer) -> {
              receiver.set((ClientResponseObserver<String, Integer>) observer);
              receiver.get().beforeStart(call);
            });
    assertThat(call.initialRequest).isEqualTo(RequestWindow.SIZE);
    for (int i = 0; i < RequestWindow.SIZE; i++) {
      receiver.get().onNext(i);
    }
    for (int i = 0; i < RequestWindow.SIZE / 2 - 1; i++) {
      assertThat(stream.next()).isEqualTo(i);
    }
    assertThat(call.requested).isEmpty();
    assertThat(stream.next()).isEqualTo(RequestWindow.SIZE / 2 - 1);
    assertThat(call.requested).containsExactly(RequestWindow.SIZE / 2);
    receiver.get().onCompleted();
    for (int i = RequestWindow.SIZE / 2; i < RequestWindow.SIZE; i++) {
      assertThat(stream.next()).isEqualTo(i);
    }
    assertThat(stream.hasNext()).isFalse();
    assertThat(call.requested).containsExactly(RequestWindow.SIZE / 2, RequestWindow.SIZE / 2);
  }

  /** A call that records what the window asks of it. */
  private static final class RecordingCall extends ClientCallStreamObserver<String> {
    int initialRequest;
    final List<Integer> requested = new ArrayList<>();

    @Override
    public void disableAutoRequestWithInitial(int request) {
      initialRequest = request;
    }

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {
      requested.add(count);
    }

    @Override
    public void cancel(@Nullable String message, @Nullable Throwable cause) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(String value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
