package dev.trainerd.api;

import dev.trainerd.jobs.Page;
import dev.trainerd.sweeps.SweepEvent;
import dev.trainerd.sweeps.SweepManager;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.training.JobAdmission;
import dev.trainerd.v1.CancelSweepRequest;
import dev.trainerd.v1.CreateSweepRequest;
import dev.trainerd.v1.GetSweepRequest;
import dev.trainerd.v1.ListSweepsRequest;
import dev.trainerd.v1.ListSweepsResponse;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepServiceGrpc;
import dev.trainerd.v1.WatchSweepRequest;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ScheduledExecutorService;

/** gRPC adapter of the sweep API. */
public final class SweepGrpcService extends SweepServiceGrpc.SweepServiceImplBase {
  private final SweepManager sweeps;
  private final JobAdmission admission;
  private final SweepMapper mapper;
  private final ScheduledExecutorService watchSender;

  /** @param watchSender where watches turn events into messages and send them (see {@link WatchStream}) */
  public SweepGrpcService(SweepManager sweeps, JobAdmission admission, SweepMapper mapper, ScheduledExecutorService watchSender) {
    this.sweeps = sweeps;
    this.admission = admission;
    this.mapper = mapper;
    this.watchSender = watchSender;
  }

  @Override
  public void createSweep(CreateSweepRequest request, StreamObserver<Sweep> response) {
    Calls.unary(
        response,
        () -> {
          if (!request.hasSweep()) {
            throw ErrorMapper.invalid("sweep", "is required");
          }
          String displayName = Calls.displayName(request.getSweep().getDisplayName(), "sweep.display_name");
          try {
            return mapper.toProto(sweeps.create(displayName, mapper.toDomain(request.getSweep(), admission::defaultLoss)));
          } catch (dev.trainerd.errors.TrainerdException.InvalidArgument e) {
            throw dev.trainerd.errors.TrainerdException.InvalidArgument.of(
                e.violations().stream().map(v -> v.under("sweep")).toList());
          }
        });
  }

  @Override
  public void getSweep(GetSweepRequest request, StreamObserver<Sweep> response) {
    Calls.unary(response, () -> mapper.toProto(sweeps.get(Names.SWEEPS.parse(request.getName(), "name"))));
  }

  @Override
  public void listSweeps(ListSweepsRequest request, StreamObserver<ListSweepsResponse> response) {
    Calls.unary(
        response,
        () -> {
          Page<SweepRecord> page = sweeps.list(request.getPageSize(), request.getPageToken());
          ListSweepsResponse.Builder out = ListSweepsResponse.newBuilder().setNextPageToken(page.nextPageToken());
          page.items().forEach(s -> out.addSweeps(mapper.toProto(s)));
          return out.build();
        });
  }

  @Override
  public void cancelSweep(CancelSweepRequest request, StreamObserver<Sweep> response) {
    Calls.unary(response, () -> mapper.toProto(sweeps.cancel(Names.SWEEPS.parse(request.getName(), "name"))));
  }

  @Override
  public void watchSweep(WatchSweepRequest request, StreamObserver<dev.trainerd.v1.SweepEvent> response) {
    WatchStream.<SweepEvent, dev.trainerd.v1.SweepEvent>serve(
        response,
        mapper::toProto,
        event -> event instanceof SweepEvent.TrialEpoch,
        watchSender,
        sink -> {
          String id = Names.SWEEPS.parse(request.getName(), "name");
          sweeps.get(id);
          return sweeps.watch(id, sink);
        });
  }
}
