package dev.trainerd.client;

import dev.trainerd.v1.CancelTrainingJobRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.DeleteTrainingJobRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.ListTrainingJobsResponse;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Training jobs: create, get, list, cancel, delete, watch and wait. Names may be given as
 * {@code trainingJobs/{id}} or as the bare id.
 */
public final class TrainingJobs {
  /** The states a job ends in. */
  public static final Set<TrainingJob.State> TERMINAL_STATES =
      Set.of(TrainingJob.State.SUCCEEDED, TrainingJob.State.FAILED, TrainingJob.State.CANCELLED);

  private final CallSettings settings;

  TrainingJobs(CallSettings settings) {
    this.settings = settings;
  }

  /** Whether a job in this state has finished. */
  public static boolean isTerminal(TrainingJob.State state) {
    return TERMINAL_STATES.contains(state);
  }

  /** Queues a job; it comes back QUEUED with every default filled in. */
  public TrainingJob create(TrainingJobSpec spec) {
    return create(CreateTrainingJobRequest.newBuilder().setSpec(spec).build());
  }

  /**
   * Queues a job with a display name and an idempotency key: repeating the call with the same
   * {@code requestId} returns the job the first call created, so a retried create never runs
   * twice. Either may be null.
   */
  public TrainingJob create(String displayName, TrainingJobSpec spec, String requestId) {
    CreateTrainingJobRequest.Builder request = CreateTrainingJobRequest.newBuilder().setSpec(spec);
    if (displayName != null) {
      request.setDisplayName(displayName);
    }
    if (requestId != null) {
      request.setRequestId(requestId);
    }
    return create(request.build());
  }

  /** Queues a job from a full request. */
  public TrainingJob create(CreateTrainingJobRequest request) {
    return Calls.call(() -> settings.unary(TrainingServiceGrpc.newBlockingStub(settings.channel())).createTrainingJob(request));
  }

  /** Gets a job. */
  public TrainingJob get(String name) {
    GetTrainingJobRequest request = GetTrainingJobRequest.newBuilder().setName(ResourceNames.trainingJob(name)).build();
    return Calls.call(() -> settings.unary(TrainingServiceGrpc.newBlockingStub(settings.channel())).getTrainingJob(request));
  }

  /** Every job, newest first, paged lazily. */
  public PagedIterable<TrainingJob> list() {
    return list(0, List.of());
  }

  /** Jobs in the given states (all when empty), {@code pageSize} per page (0: 50). */
  public PagedIterable<TrainingJob> list(int pageSize, Collection<TrainingJob.State> states) {
    return new PagedIterable<>(
        token -> {
          ListTrainingJobsRequest request =
              ListTrainingJobsRequest.newBuilder().setPageSize(pageSize).setPageToken(token).addAllStates(states).build();
          ListTrainingJobsResponse page =
              Calls.call(() -> settings.unary(TrainingServiceGrpc.newBlockingStub(settings.channel())).listTrainingJobs(request));
          return new PagedIterable.Page<>(page.getTrainingJobsList(), page.getNextPageToken());
        });
  }

  /** Asks a job to stop; returns it (CANCELLING, or unchanged if it had finished). */
  public TrainingJob cancel(String name) {
    CancelTrainingJobRequest request = CancelTrainingJobRequest.newBuilder().setName(ResourceNames.trainingJob(name)).build();
    return Calls.call(() -> settings.unary(TrainingServiceGrpc.newBlockingStub(settings.channel())).cancelTrainingJob(request));
  }

  /** Deletes a finished job's record (its model stays). */
  public void delete(String name) {
    DeleteTrainingJobRequest request = DeleteTrainingJobRequest.newBuilder().setName(ResourceNames.trainingJob(name)).build();
    Calls.call(() -> settings.unary(TrainingServiceGrpc.newBlockingStub(settings.channel())).deleteTrainingJob(request));
  }

  /** Watches a job as a blocking iterator (see {@link JobWatch}). */
  public JobWatch watch(String name) {
    return watchUntil(name, null);
  }

  private JobWatch watchUntil(String name, Deadline deadline) {
    WatchTrainingJobRequest request = WatchTrainingJobRequest.newBuilder().setName(ResourceNames.trainingJob(name)).build();
    TrainingServiceGrpc.TrainingServiceStub base = settings.streaming(TrainingServiceGrpc.newStub(settings.channel()));
    TrainingServiceGrpc.TrainingServiceStub stub = deadline == null ? base : base.withDeadline(deadline);
    return EventWatch.start(request, stub::watchTrainingJob, JobWatch::new);
  }

  /**
   * Watches a job asynchronously; events go to {@code listener} on a gRPC thread.
   *
   * @return a handle whose {@code close()} stops watching
   */
  public WatchHandle watch(String name, TrainingJobListener listener) {
    WatchTrainingJobRequest request = WatchTrainingJobRequest.newBuilder().setName(ResourceNames.trainingJob(name)).build();
    RequestWindow window = new RequestWindow();
    settings
        .streaming(TrainingServiceGrpc.newStub(settings.channel()))
        .watchTrainingJob(
            request,
            new ClientResponseObserver<WatchTrainingJobRequest, TrainingJobEvent>() {
              private TrainingJob finished;

              @Override
              public void beforeStart(ClientCallStreamObserver<WatchTrainingJobRequest> stream) {
                window.start(stream);
              }

              @Override
              public void onNext(TrainingJobEvent event) {
                listener.onEvent(event);
                if (event.hasStateChange() && isTerminal(event.getStateChange().getState())) {
                  finished = event.getStateChange().getJob();
                }
                window.taken();
              }

              @Override
              public void onError(Throwable t) {
                listener.onError(TrainerException.from(t));
              }

              @Override
              public void onCompleted() {
                if (finished != null) {
                  listener.onFinished(finished);
                } else {
                  listener.onError(
                      new TrainerException(
                          Status.Code.UNAVAILABLE, "WATCH_ENDED", "the watch ended before the job finished", List.of(), null));
                }
              }
            });
    return () -> window.cancel("watch closed by the client", null);
  }

  /**
   * Waits until the job finishes and returns it in its terminal state (which may be FAILED or
   * CANCELLED: check {@code getState()}).
   *
   * @throws TrainerException DEADLINE_EXCEEDED when it has not finished within {@code timeout}
   *     (the job keeps running), or another code if the job cannot be watched
   */
  public TrainingJob awaitCompletion(String name, Duration timeout) {
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    while (true) {
      try (JobWatch events = watchUntil(name, deadline)) {
        while (events.hasNext()) {
          TrainingJobEvent event = events.next();
          if (event.hasStateChange() && isTerminal(event.getStateChange().getState())) {
            return event.getStateChange().getJob();
          }
        }
      } catch (TrainerException e) {
        if (e.code() != Status.Code.UNAVAILABLE || deadline.isExpired()) {
          throw e;
        }
      }
      // The stream ended early (a server restart): the job may have finished meanwhile.
      TrainingJob job = get(name);
      if (isTerminal(job.getState())) {
        return job;
      }
      if (deadline.isExpired()) {
        throw new TrainerException(
            Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", job.getName() + " did not finish within " + timeout, List.of(), null);
      }
    }
  }
}
