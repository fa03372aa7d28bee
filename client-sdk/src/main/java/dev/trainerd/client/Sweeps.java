package dev.trainerd.client;

import dev.trainerd.v1.CancelSweepRequest;
import dev.trainerd.v1.CreateSweepRequest;
import dev.trainerd.v1.GetSweepRequest;
import dev.trainerd.v1.GridValues;
import dev.trainerd.v1.ListSweepsRequest;
import dev.trainerd.v1.ListSweepsResponse;
import dev.trainerd.v1.Range;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepEvent;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.SweepServiceGrpc;
import dev.trainerd.v1.WatchSweepRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Hyperparameter sweeps: create, get, list, cancel, watch and wait. Names may be given as
 * {@code sweeps/{id}} or as the bare id. {@link #grid} and {@link #range} build parameters.
 */
public final class Sweeps {
  /** The states a sweep ends in. */
  public static final Set<Sweep.State> TERMINAL_STATES =
      Set.of(Sweep.State.SUCCEEDED, Sweep.State.FAILED, Sweep.State.CANCELLED);

  private final CallSettings settings;

  Sweeps(CallSettings settings) {
    this.settings = settings;
  }

  /** Whether a sweep in this state has ended. */
  public static boolean isTerminal(Sweep.State state) {
    return TERMINAL_STATES.contains(state);
  }

  /** A grid parameter: {@code name} takes each of {@code values} (as text: "0.01", "adam"). */
  public static SweepParameter grid(String name, String... values) {
    return SweepParameter.newBuilder().setName(name).setValues(GridValues.newBuilder().addAllValues(List.of(values))).build();
  }

  /** A random-search parameter drawn from {@code [min, max)} with {@code distribution}. */
  public static SweepParameter range(String name, double min, double max, Range.Distribution distribution) {
    return SweepParameter.newBuilder()
        .setName(name)
        .setRange(Range.newBuilder().setMin(min).setMax(max).setDistribution(distribution))
        .build();
  }

  /** Starts a sweep; it comes back RUNNING with its trials drawn and PENDING. */
  public Sweep create(Sweep sweep) {
    CreateSweepRequest request = CreateSweepRequest.newBuilder().setSweep(sweep).build();
    return Calls.call(() -> settings.unary(SweepServiceGrpc.newBlockingStub(settings.channel())).createSweep(request));
  }

  /** Gets a sweep. */
  public Sweep get(String name) {
    GetSweepRequest request = GetSweepRequest.newBuilder().setName(ResourceNames.sweep(name)).build();
    return Calls.call(() -> settings.unary(SweepServiceGrpc.newBlockingStub(settings.channel())).getSweep(request));
  }

  /** Every sweep, newest first, paged lazily ({@code pageSize} 0: 50). */
  public PagedIterable<Sweep> list(int pageSize) {
    return new PagedIterable<>(
        token -> {
          ListSweepsRequest request = ListSweepsRequest.newBuilder().setPageSize(pageSize).setPageToken(token).build();
          ListSweepsResponse page =
              Calls.call(() -> settings.unary(SweepServiceGrpc.newBlockingStub(settings.channel())).listSweeps(request));
          return new PagedIterable.Page<>(page.getSweepsList(), page.getNextPageToken());
        });
  }

  /** Cancels every pending and running trial; FAILED_PRECONDITION when the sweep has ended. */
  public Sweep cancel(String name) {
    CancelSweepRequest request = CancelSweepRequest.newBuilder().setName(ResourceNames.sweep(name)).build();
    return Calls.call(() -> settings.unary(SweepServiceGrpc.newBlockingStub(settings.channel())).cancelSweep(request));
  }

  /**
   * Watches a sweep as a blocking iterator: its events so far, then live ones until the sweep's
   * terminal state (the last event). Close it to stop early; the sweep is not affected.
   */
  public Watch watch(String name) {
    return watchUntil(name, null);
  }

  private Watch watchUntil(String name, Deadline deadline) {
    WatchSweepRequest request = WatchSweepRequest.newBuilder().setName(ResourceNames.sweep(name)).build();
    SweepServiceGrpc.SweepServiceStub base = settings.streaming(SweepServiceGrpc.newStub(settings.channel()));
    SweepServiceGrpc.SweepServiceStub stub = deadline == null ? base : base.withDeadline(deadline);
    return EventWatch.start(request, stub::watchSweep, Watch::new);
  }

  /**
   * Waits until the sweep ends and returns it (trials ranked, best model named when SUCCEEDED).
   *
   * @throws TrainerException DEADLINE_EXCEEDED when it has not ended within {@code timeout}
   */
  public Sweep awaitCompletion(String name, Duration timeout) {
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    while (true) {
      try (Watch events = watchUntil(name, deadline)) {
        while (events.hasNext()) {
          SweepEvent event = events.next();
          if (event.hasSweep() && isTerminal(event.getSweep().getState())) {
            return event.getSweep();
          }
        }
      } catch (TrainerException e) {
        if (e.code() != Status.Code.UNAVAILABLE || deadline.isExpired()) {
          throw e;
        }
      }
      Sweep sweep = get(name);
      if (isTerminal(sweep.getState())) {
        return sweep;
      }
      if (deadline.isExpired()) {
        throw new TrainerException(
            Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", sweep.getName() + " did not end within " + timeout, List.of(), null);
      }
    }
  }

  /** A blocking iterator over a sweep's events; closing it stops watching. */
  public static final class Watch extends EventWatch<SweepEvent> {
    Watch(Context.CancellableContext context, Iterator<SweepEvent> events) {
      super(context, events);
    }
  }
}
