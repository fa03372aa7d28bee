package dev.trainerd.api;

import dev.trainerd.jobs.JobManager;
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
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;

/** gRPC adapter of the sweep API. */
public final class SweepGrpcService extends SweepServiceGrpc.SweepServiceImplBase {
  private final SweepManager sweeps;
  private final JobAdmission admission;
  private final SweepMapper mapper;

  public SweepGrpcService(SweepManager sweeps, JobAdmission admission, SweepMapper mapper) {
    this.sweeps = sweeps;
    this.admission = admission;
    this.mapper = mapper;
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
    ServerCallStreamObserver<dev.trainerd.v1.SweepEvent> call =
        (ServerCallStreamObserver<dev.trainerd.v1.SweepEvent>) response;
    String id;
    try {
      id = Names.SWEEPS.parse(request.getName(), "name");
      sweeps.get(id);
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
      return;
    }
    EventStream stream = new EventStream(call);
    call.setOnReadyHandler(stream::drain);
    call.setOnCancelHandler(stream::cancelled);
    try {
      stream.watch = sweeps.watch(id, stream);
      if (stream.isClosed()) {
        stream.watch.close();
      }
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
    }
  }

  /** Buffers one watcher's events and sends them as the transport allows (see the job watch). */
  private final class EventStream implements SweepManager.SweepEventSink {
    private final ServerCallStreamObserver<dev.trainerd.v1.SweepEvent> call;
    private final ArrayDeque<dev.trainerd.v1.SweepEvent> pending = new ArrayDeque<>();
    private boolean ended;
    private boolean closed;
    volatile JobManager.Watch watch;

    EventStream(ServerCallStreamObserver<dev.trainerd.v1.SweepEvent> call) {
      this.call = call;
    }

    @Override
    public void onEvent(SweepEvent event) {
      dev.trainerd.v1.SweepEvent proto = mapper.toProto(event);
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

    synchronized void drain() {
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

    synchronized boolean isClosed() {
      return closed;
    }

    /** The client went away; the manager's lock is taken only after this monitor is released. */
    void cancelled() {
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
}
