package dev.trainerd.api;

import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobManager;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.Page;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.training.JobAdmission;
import dev.trainerd.v1.CancelTrainingJobRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.DeleteTrainingJobRequest;
import dev.trainerd.v1.DeleteTrainingJobResponse;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.ListTrainingJobsResponse;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.stub.StreamObserver;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/** gRPC adapter of the training-job API. */
public final class TrainingGrpcService extends TrainingServiceGrpc.TrainingServiceImplBase {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final JobManager jobs;
  private final JobAdmission admission;
  private final SpecMapper specs;
  private final ResourceMapper mapper;
  private final ScheduledExecutorService watchSender;

  /** @param watchSender where watches turn events into messages and send them (see {@link WatchStream}) */
  public TrainingGrpcService(
      JobManager jobs, JobAdmission admission, SpecMapper specs, ResourceMapper mapper, ScheduledExecutorService watchSender) {
    this.jobs = jobs;
    this.admission = admission;
    this.specs = specs;
    this.mapper = mapper;
    this.watchSender = watchSender;
  }

  @Override
  public void createTrainingJob(CreateTrainingJobRequest request, StreamObserver<TrainingJob> response) {
    Calls.unary(
        response,
        () -> {
          String displayName = Calls.displayName(request.getDisplayName(), "display_name");
          String requestId = request.getRequestId();
          if (!requestId.isEmpty() && !REQUEST_ID.matcher(requestId).matches()) {
            throw ErrorMapper.invalid("request_id", "must be 1 to 64 characters of [A-Za-z0-9_-]");
          }
          if (!request.hasSpec()) {
            throw ErrorMapper.invalid("spec", "is required");
          }
          JobSpec spec = specs.toDomain(request.getSpec(), admission.defaultLoss(request.getSpec().getDataset()));
          admission.check(spec);
          return mapper.toProto(jobs.create(displayName, spec, requestId));
        });
  }

  @Override
  public void getTrainingJob(GetTrainingJobRequest request, StreamObserver<TrainingJob> response) {
    Calls.unary(response, () -> mapper.toProto(jobs.get(Names.TRAINING_JOBS.parse(request.getName(), "name"))));
  }

  @Override
  public void listTrainingJobs(ListTrainingJobsRequest request, StreamObserver<ListTrainingJobsResponse> response) {
    Calls.unary(
        response,
        () -> {
          Set<JobState> states = EnumSet.noneOf(JobState.class);
          for (int i = 0; i < request.getStatesCount(); i++) {
            TrainingJob.State s = request.getStates(i);
            if (s == TrainingJob.State.STATE_UNSPECIFIED || s == TrainingJob.State.UNRECOGNIZED) {
              throw ErrorMapper.invalid("states[" + i + "]", "must be a job state such as RUNNING");
            }
            states.add(JobState.valueOf(s.name()));
          }
          Page<TrainingJobRecord> page = jobs.list(request.getPageSize(), request.getPageToken(), states);
          ListTrainingJobsResponse.Builder out =
              ListTrainingJobsResponse.newBuilder().setNextPageToken(page.nextPageToken());
          page.items().forEach(j -> out.addTrainingJobs(mapper.toProto(j)));
          return out.build();
        });
  }

  @Override
  public void cancelTrainingJob(CancelTrainingJobRequest request, StreamObserver<TrainingJob> response) {
    Calls.unary(response, () -> mapper.toProto(jobs.cancel(Names.TRAINING_JOBS.parse(request.getName(), "name"))));
  }

  @Override
  public void deleteTrainingJob(
      DeleteTrainingJobRequest request, StreamObserver<DeleteTrainingJobResponse> response) {
    Calls.unary(
        response,
        () -> {
          jobs.delete(Names.TRAINING_JOBS.parse(request.getName(), "name"));
          return DeleteTrainingJobResponse.getDefaultInstance();
        });
  }

  @Override
  public void watchTrainingJob(WatchTrainingJobRequest request, StreamObserver<TrainingJobEvent> response) {
    WatchStream.<JobEvent, TrainingJobEvent>serve(
        response,
        mapper::toProto,
        event -> event instanceof JobEvent.EpochFinished,
        watchSender,
        sink -> {
          String id = Names.TRAINING_JOBS.parse(request.getName(), "name");
          jobs.get(id);
          return jobs.watch(id, sink);
        });
  }
}
