package dev.trainerd.jobs;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.SharedJobStore.Claim;
import dev.trainerd.jobs.SharedJobStore.Expired;
import dev.trainerd.jobs.SharedJobStore.Guard;
import dev.trainerd.jobs.SharedJobStore.Lease;
import dev.trainerd.jobs.SharedJobStore.Result;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.TrainingCancelledException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The job lifecycle of one replica in a cluster, behind {@link JobManager}'s API. The shared
 * store holds every job; this replica
 *
 * <ul>
 *   <li>writes the jobs its clients create as QUEUED (any replica accepts any request);
 *   <li>claims queued jobs while it has free slots (only GPU replicas claim GPU jobs), trains
 *       them and renews their leases every third of the lease;
 *   <li>reaps jobs whose lease ran out, whoever held them: re-queued or failed as each job's
 *       {@link ReplicaLossPolicy} says (a job being cancelled ends CANCELLED);
 *   <li>serves watches of any job by polling the store's history.
 * </ul>
 *
 * <p>A replica that cannot renew a lease for a whole lease period stops the job itself: by then
 * another replica may have re-queued it. Every write about a running job names its lease, so a
 * replica that lost the lease changes nothing (see {@link SharedJobStore}).
 */
final class ClusterJobs {
  private static final Logger log = LoggerFactory.getLogger(ClusterJobs.class);
  private static final Set<JobState> RUNNING_STATES = EnumSet.of(JobState.RUNNING, JobState.CANCELLING);
  private static final int REAP_BATCH = 100;

  /** Why a local job's cancellation signal fired. */
  private enum Stop {
    /** A client cancelled it (the store says CANCELLING). */
    REQUESTED,
    /** The lease is gone: another replica may run the job now. Write nothing more. */
    LEASE_LOST,
    /** This replica is shutting down: the job's policy decides what becomes of it. */
    SHUTDOWN
  }

  /** A job this replica trains. */
  private static final class Running {
    final String id;
    final Lease lease;
    final AtomicBoolean cancelled = new AtomicBoolean();
    volatile Stop stop;
    volatile Instant renewedAt;

    Running(String id, Lease lease, Instant now) {
      this.id = id;
      this.lease = lease;
      this.renewedAt = now;
    }

    void stop(Stop why) {
      if (stop == null) {
        stop = why;
      }
      cancelled.set(true);
    }
  }

  /** An open watch: what it has seen and where the rest goes. */
  private static final class Subscription {
    final String jobId;
    final EventSink<JobEvent> sink;
    volatile long lastSequence;

    Subscription(String jobId, EventSink<JobEvent> sink, long lastSequence) {
      this.jobId = jobId;
      this.sink = sink;
      this.lastSequence = lastSequence;
    }
  }

  private final SharedJobStore store;
  private final JobRunner runner;
  private final Clock clock;
  private final Supplier<String> ids;
  private final int maxConcurrent;
  private final int maxQueued;
  private final JobLifecycleListener listener;
  private final ClusterSettings settings;
  private final ExecutorService workers;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final Object claimLock = new Object();

  ClusterJobs(
      SharedJobStore store,
      JobRunner runner,
      Clock clock,
      Supplier<String> ids,
      int maxConcurrent,
      int maxQueued,
      JobLifecycleListener listener,
      ClusterSettings settings) {
    this.store = store;
    this.runner = runner;
    this.clock = clock;
    this.ids = ids;
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
    this.listener = listener;
    this.settings = settings;
    this.workers = JobManager.workerPool(maxConcurrent);
    AtomicInteger m = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            3,
            r -> {
              Thread t = new Thread(r, "trainerd-cluster-" + m.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    announce();
    long poll = settings.pollInterval().toMillis();
    long beat = settings.heartbeat().toMillis();
    scheduler.scheduleWithFixedDelay(guarded("claim", this::claimWhileFree), 0, poll, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(guarded("watch", this::pollWatches), poll, poll, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(guarded("heartbeat", this::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
    // Replicas reap at staggered times; the store's row locks make concurrent reaping harmless.
    long reap = settings.lease().toMillis() / 2;
    scheduler.scheduleWithFixedDelay(
        guarded("reaper", this::reap), reap / 2 + Math.floorMod(settings.replicaId().hashCode(), Math.max(1, reap / 2)),
        reap, TimeUnit.MILLISECONDS);
    log.info(
        "cluster replica {} ({}, {} job slots, lease {})",
        settings.replicaId(), settings.hasGpu() ? "with GPU" : "no GPU", maxConcurrent, settings.lease());
  }

  TrainingJobRecord create(String displayName, JobSpec spec, String requestId) {
    if (!accepting.get()) {
      throw new TrainerdException.FailedPrecondition(
          "SHUTTING_DOWN", "the server is shutting down; retry on another replica");
    }
    if (store.count(JobState.QUEUED) >= maxQueued) {
      throw new TrainerdException.ResourceExhausted(
          "QUEUE_FULL", "the job queue is full (" + maxQueued + " waiting); retry later");
    }
    Instant now = clock.instant();
    TrainingJobRecord job = TrainingJobRecord.queued(ids.get(), displayName, spec, now, requestId);
    TrainingJobRecord stored = store.insert(job, new JobEvent.StateChanged(1, now, job));
    if (!stored.id().equals(job.id())) {
      if (!stored.spec().equals(spec) || !stored.displayName().equals(displayName)) {
        throw new TrainerdException.AlreadyExists(
            "REQUEST_ID_REUSED",
            "request_id " + requestId + " was used for a different job (" + stored.id() + ")");
      }
      return stored;
    }
    listener.created(stored);
    scheduler.execute(guarded("claim", this::claimWhileFree));
    return stored;
  }

  TrainingJobRecord get(String id) {
    return store.find(id).orElseThrow(() -> JobManager.notFound(id));
  }

  Page<TrainingJobRecord> list(int pageSize, String pageToken, Set<JobState> states) {
    return Page.of(store.list(states), j -> new Page.Key(j.createTime(), j.id()), pageSize, pageToken, "");
  }

  long queuedCount() {
    return store.count(JobState.QUEUED);
  }

  boolean isDatasetInUse(String datasetId) {
    return store.isDatasetInUse(datasetId);
  }

  TrainingJobRecord cancel(String id) {
    TrainingJobRecord job = get(id);
    switch (job.state()) {
      case QUEUED -> {
        Optional<TrainingJobRecord> done =
            store.update(
                id,
                new Guard.InState(Set.of(JobState.QUEUED)),
                (current, seq) ->
                    stateChange(current.withFailure(JobFailure.cancelled("cancelled while queued")), JobState.CANCELLED, seq));
        if (done.isPresent()) {
          listener.finished(done.get());
          return done.get();
        }
        return cancel(id); // claimed meanwhile: cancel it as a running job
      }
      case RUNNING -> {
        Optional<TrainingJobRecord> cancelling =
            store.update(
                id,
                new Guard.InState(Set.of(JobState.RUNNING)),
                (current, seq) -> stateChange(current, JobState.CANCELLING, seq));
        Running local = running.get(id);
        if (local != null) {
          local.stop(Stop.REQUESTED); // the owner is here: no need to wait for the heartbeat
        }
        return cancelling.orElseGet(() -> get(id));
      }
      default -> {
        return job;
      }
    }
  }

  void delete(String id) {
    TrainingJobRecord job = get(id);
    if (job.state().isActive() || !store.deleteFinished(id)) {
      TrainingJobRecord now = get(id);
      throw new TrainerdException.FailedPrecondition(
          "JOB_ACTIVE", "job " + id + " is " + now.state() + "; cancel it and wait until it ends");
    }
  }

  JobManager.Watch watch(String id, EventSink<JobEvent> sink) {
    TrainingJobRecord job = get(id);
    List<JobEvent> history = store.events(id, 0);
    history.forEach(sink::onEvent);
    boolean ended = !history.isEmpty() && history.get(history.size() - 1).isTerminal();
    if (ended || (history.isEmpty() && job.state().isTerminal())) {
      sink.onEnd();
      return () -> {};
    }
    Subscription s = new Subscription(id, sink, history.isEmpty() ? 0 : history.get(history.size() - 1).sequence());
    subscriptions.add(s);
    return () -> subscriptions.remove(s);
  }

  /**
   * Stops claiming; running jobs get {@code grace} to finish, then stop and are re-queued or
   * failed as their policy says, so another replica can take them at once.
   */
  void shutdown(Duration grace) {
    accepting.set(false);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        running.values().forEach(r -> r.stop(Stop.SHUTDOWN));
        workers.awaitTermination(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      store.withdraw(settings.replicaId());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("could not withdraw replica {}: {}", settings.replicaId(), e.getMessage());
    }
  }

  // ---- claiming and running ----

  private void claimWhileFree() {
    synchronized (claimLock) {
      while (accepting.get() && running.size() < maxConcurrent) {
        Optional<Claim> claim =
            store.claim(
                settings.replicaId(),
                settings.hasGpu(),
                settings.lease(),
                (current, seq) -> stateChange(current, JobState.RUNNING, seq));
        if (claim.isEmpty()) {
          return;
        }
        Claim c = claim.get();
        Running r = new Running(c.job().id(), c.lease(), clock.instant());
        running.put(r.id, r);
        log.info("job {} claimed by {} (attempt {})", r.id, c.lease().owner(), c.lease().attempt());
        try {
          workers.execute(() -> execute(c.job(), r));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          running.remove(r.id);
          release(r, c.job().spec().onReplicaLoss());
          return;
        }
      }
    }
  }

  private void execute(TrainingJobRecord job, Running r) {
    listener.started(job);
    MDC.put("job_id", job.id());
    JobState outcome;
    JobFailure failure = null;
    String modelId = null;
    try {
      CancellationSignal cancel = r.cancelled::get;
      modelId = runner.run(job, new ProgressSink(r), cancel);
      outcome = JobState.SUCCEEDED;
    } catch (TrainingCancelledException e) {
      outcome = JobState.CANCELLED;
      failure = JobFailure.cancelled("cancelled on request");
    } catch (TrainerdException e) {
      outcome = JobState.FAILED;
      failure = new JobFailure(e.canonicalCode(), e.reason(), e.getMessage());
    } catch (Throwable e) {
      log.error("job {} failed", job.id(), e);
      outcome = JobState.FAILED;
      failure = new JobFailure("INTERNAL", "TRAINING_FAILED", "training failed: " + JobManager.summary(e));
    } finally {
      MDC.remove("job_id");
    }
    try {
      finish(job, r, outcome, failure, modelId);
    } finally {
      running.remove(r.id);
      scheduler.execute(guarded("claim", this::claimWhileFree));
    }
  }

  private void finish(TrainingJobRecord job, Running r, JobState outcome, JobFailure failure, String modelId) {
    Stop stop = r.stop;
    if (stop == Stop.LEASE_LOST) {
      log.warn("job {} lost its lease (attempt {}); its result is dropped", job.id(), r.lease.attempt());
      discard(modelId);
      return;
    }
    if (stop == Stop.SHUTDOWN && outcome == JobState.CANCELLED) {
      release(r, job.spec().onReplicaLoss());
      return;
    }
    String model = modelId;
    JobFailure why = failure;
    Optional<TrainingJobRecord> done;
    try {
      done =
          store.update(
              job.id(),
              new Guard.Held(r.lease),
              (current, seq) -> {
                TrainingJobRecord next = model == null ? current : current.withModel(model);
                if (why != null) {
                  next = next.withFailure(why);
                }
                return stateChange(next, outcome, seq);
              });
    } catch (RuntimeException e) {
      // The database is unreachable: the lease runs out and a reaper applies the job's policy.
      log.error("job {} ended {} but that could not be recorded: {}", job.id(), outcome, e.getMessage());
      discard(modelId);
      return;
    }
    if (done.isEmpty()) {
      log.warn("job {} ended {} after losing its lease; its result is dropped", job.id(), outcome);
      discard(modelId);
      return;
    }
    listener.finished(done.get());
  }

  /** Gives a job this replica stops back to the cluster, as its policy says. */
  private void release(Running r, ReplicaLossPolicy policy) {
    try {
      store
          .update(r.id, new Guard.Held(r.lease), (current, seq) -> lost(current, seq, policy, "shut down"))
          .ifPresent(
              j -> {
                log.info("job {} {} as this replica shuts down", r.id, j.state() == JobState.QUEUED ? "re-queued" : "ended " + j.state());
                if (j.state().isTerminal()) {
                  listener.finished(j);
                }
              });
    } catch (RuntimeException e) {
      log.warn("could not release job {}; its lease runs out instead: {}", r.id, e.getMessage());
    }
  }

  private void discard(String modelId) {
    if (modelId != null) {
      try {
        runner.discard(modelId);
      } catch (RuntimeException e) {
        log.warn("could not remove model {} of a lost attempt: {}", modelId, e.getMessage());
      }
    }
  }

  // ---- leases ----

  private void heartbeat() {
    announce();
    Instant now = clock.instant();
    for (Running r : running.values()) {
      try {
        Optional<JobState> state = store.renew(r.id, r.lease, settings.lease());
        if (state.isEmpty()) {
          log.warn("job {} is no longer held by this replica (attempt {}); stopping it", r.id, r.lease.attempt());
          r.stop(Stop.LEASE_LOST);
        } else {
          r.renewedAt = now;
          if (state.get() == JobState.CANCELLING) {
            r.stop(Stop.REQUESTED);
          }
        }
      } catch (RuntimeException e) {
        if (Duration.between(r.renewedAt, now).compareTo(settings.lease()) >= 0) {
          // Another replica may have taken the job by now: stop rather than run it twice.
          log.warn("job {}: lease not renewed for {}; stopping it: {}", r.id, settings.lease(), e.getMessage());
          r.stop(Stop.LEASE_LOST);
        } else {
          log.warn("job {}: could not renew its lease: {}", r.id, e.getMessage());
        }
      }
    }
  }

  private void announce() {
    try {
      store.announce(
          new SharedJobStore.Replica(settings.replicaId(), settings.hasGpu(), maxConcurrent, running.size()),
          settings.lease());
    } catch (RuntimeException e) {
      log.warn("could not announce replica {}: {}", settings.replicaId(), e.getMessage());
    }
  }

  private void reap() {
    for (Expired e : store.expired(REAP_BATCH)) {
      store
          .update(
              e.jobId(),
              new Guard.LeaseExpired(e.attempt()),
              (current, seq) -> lost(current, seq, current.spec().onReplicaLoss(), "stopped renewing its lease"))
          .ifPresent(
              j -> {
                log.warn("job {}: its replica stopped renewing the lease (attempt {}); now {}", j.id(), e.attempt(), j.state());
                if (j.state().isTerminal()) {
                  listener.finished(j);
                }
              });
    }
  }

  /** What becomes of a job whose replica is gone or going. */
  private Result lost(TrainingJobRecord current, long seq, ReplicaLossPolicy policy, String what) {
    if (current.state() == JobState.CANCELLING) {
      return stateChange(
          current.withFailure(JobFailure.cancelled("cancelled; its replica " + what + " before it stopped")),
          JobState.CANCELLED, seq);
    }
    if (policy == ReplicaLossPolicy.FAIL) {
      return stateChange(
          current.withFailure(new JobFailure("ABORTED", "REPLICA_LOST", "the replica training the job " + what)),
          JobState.FAILED, seq);
    }
    TrainingJobRecord queued = current.requeued();
    return new Result(queued, List.of(new JobEvent.StateChanged(seq, clock.instant(), queued)));
  }

  private Result stateChange(TrainingJobRecord current, JobState next, long seq) {
    if (!current.state().canMoveTo(next)) {
      throw new IllegalStateException(current.state() + " -> " + next + " for job " + current.id());
    }
    TrainingJobRecord updated = current.withState(next, clock.instant());
    return new Result(updated, List.of(new JobEvent.StateChanged(seq, clock.instant(), updated)));
  }

  // ---- watches ----

  private void pollWatches() {
    if (subscriptions.isEmpty()) {
      return;
    }
    Map<String, Long> after = new HashMap<>();
    for (Subscription s : subscriptions) {
      after.merge(s.jobId, s.lastSequence, Math::min);
    }
    Map<String, List<JobEvent>> fresh = store.events(after);
    for (Subscription s : subscriptions) {
      List<JobEvent> events = fresh.getOrDefault(s.jobId, List.of());
      for (JobEvent event : events) {
        if (event.sequence() <= s.lastSequence) {
          continue;
        }
        s.sink.onEvent(event);
        s.lastSequence = event.sequence();
        if (event.isTerminal()) {
          subscriptions.remove(s);
          s.sink.onEnd();
          break;
        }
      }
    }
  }

  private Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("cluster {} failed: {}", what, e.getMessage());
      }
    };
  }

  /** Records a running job's progress, fenced by its lease. */
  private final class ProgressSink implements JobRunner.Progress {
    private final Running r;

    ProgressSink(Running r) {
      this.r = r;
    }

    @Override
    public void epoch(EpochMetrics metrics) {
      epochs(List.of(metrics));
    }

    /** The folds' epoch in one guarded write (one transaction instead of one per fold). */
    @Override
    public void epochs(List<EpochMetrics> metrics) {
      Optional<TrainingJobRecord> updated =
          write(
              (current, seq) ->
                  new Result(current.withEpochs(metrics), JobEvent.EpochFinished.all(seq, clock.instant(), metrics)));
      updated.ifPresent(j -> metrics.forEach(m -> listener.epoch(j, m)));
    }

    @Override
    public void fold(FoldResult fold) {
      write((current, seq) -> new Result(current, List.of(new JobEvent.FoldFinished(seq, clock.instant(), fold))));
    }

    @Override
    public void crossValidation(CrossValidationSummary result) {
      write((current, seq) -> new Result(current.withCrossValidation(result), List.of()));
    }

    private Optional<TrainingJobRecord> write(SharedJobStore.Change change) {
      if (r.stop == Stop.LEASE_LOST) {
        return Optional.empty();
      }
      Optional<TrainingJobRecord> written = store.update(r.id, new Guard.Held(r.lease), change);
      if (written.isEmpty()) {
        log.warn("job {} is no longer held by this replica (attempt {}); stopping it", r.id, r.lease.attempt());
        r.stop(Stop.LEASE_LOST);
      }
      return written;
    }
  }

  /** Jobs this replica trains now (for tests and logs). */
  List<String> runningHere() {
    return new ArrayList<>(running.keySet());
  }
}
