package dev.trainerd.jobs;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.CancellationSignal;

import dev.trainerd.ml.EpochMetrics;

import dev.trainerd.ml.TrainingCancelledException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns every training job: admits it, queues it for a bounded pool of workers, drives its state
 * machine, keeps its history for watchers and persists every state change before reporting it.
 *
 * <p>One lock guards all job state. Watchers are called under it, so they see history and live
 * events in order without gaps; they must not block (the API's watchers only enqueue).
 *
 * <p>Built with {@link #clustered}, the manager is one replica of a cluster instead: the jobs live
 * in a {@link SharedJobStore} and every call goes to the cluster engine, with the same contract.
 */
public final class JobManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  private final JobRepository repository;
  private final JobRunner runner;
  private final Clock clock;
  private final Supplier<String> ids;
  private final int maxQueued;
  private final JobLifecycleListener listener;
  private final ExecutorService workers;
  /** Set in cluster mode, where it answers every call. */
  private final ClusterJobs cluster;

  private final Object lock = new Object();
  private final Map<String, TrainingJobRecord> jobs = new HashMap<>();
  private final Map<String, String> jobByRequestId = new HashMap<>();
  private final Map<String, Live> live = new HashMap<>();
  private final Map<String, List<JobEvent>> finishedHistory =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<JobEvent>> eldest) {
          return size() > 64;
        }
      };
  private boolean accepting = true;

  /**
   * @param maxConcurrent jobs training at once
   * @param maxQueued jobs waiting beyond those; more are refused with RESOURCE_EXHAUSTED
   */
  public JobManager(
      JobRepository repository,
      JobRunner runner,
      Clock clock,
      Supplier<String> ids,
      int maxConcurrent,
      int maxQueued,
      JobLifecycleListener listener) {
    this.repository = repository;
    this.runner = runner;
    this.clock = clock;
    this.ids = ids;
    this.maxQueued = maxQueued;
    this.listener = listener;
    this.cluster = null;
    this.workers = workerPool(maxConcurrent);
    recover();
  }

  /** The threads jobs train on, {@code trainerd-job-N}; daemons, so a stuck job cannot hold the JVM. */
  static ExecutorService workerPool(int maxConcurrent) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        maxConcurrent,
        r -> {
          Thread t = new Thread(r, "trainerd-job-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private JobManager(ClusterJobs cluster, JobRunner runner, Clock clock, Supplier<String> ids, int maxQueued, JobLifecycleListener listener) {
    this.repository = null;
    this.runner = runner;
    this.clock = clock;
    this.ids = ids;
    this.maxQueued = maxQueued;
    this.listener = listener;
    this.workers = null;
    this.cluster = cluster;
  }

  /**
   * A manager that is one replica of a cluster: jobs live in {@code store}, any replica accepts
   * any request, and this one trains up to {@code maxConcurrent} jobs it claims from the shared
   * queue (see {@link SharedJobStore} for the leases and their fencing).
   *
   * @param maxQueued jobs waiting in the whole cluster before creation is refused
   */
  public static JobManager clustered(
      SharedJobStore store,
      JobRunner runner,
      Clock clock,
      Supplier<String> ids,
      int maxConcurrent,
      int maxQueued,
      JobLifecycleListener listener,
      ClusterSettings settings) {
    return new JobManager(
        new ClusterJobs(store, runner, clock, ids, maxConcurrent, maxQueued, listener, settings),
        runner, clock, ids, maxQueued, listener);
  }

  /** Loads stored jobs: running ones end FAILED ("server restarted"), queued ones run again. */
  private void recover() {
    List<TrainingJobRecord> queued = new ArrayList<>();
    for (TrainingJobRecord stored : repository.loadAll()) {
      TrainingJobRecord job = stored;
      if (job.state() == JobState.RUNNING || job.state() == JobState.CANCELLING) {
        List<JobEvent> history = repository.loadEvents(job.id());
        job = job.withFailure(JobFailure.serverRestarted()).withState(JobState.FAILED, clock.instant());
        repository.save(job);
        long next = history.isEmpty() ? 1 : history.get(history.size() - 1).sequence() + 1;
        repository.appendEvents(job.id(), List.of(new JobEvent.StateChanged(next, clock.instant(), job)));
        repository.flush();
        log.info("job {} was running when the server stopped; marked FAILED", job.id());
      }
      jobs.put(job.id(), job);
      if (!job.requestId().isEmpty()) {
        jobByRequestId.put(job.requestId(), job.id());
      }
      if (job.state() == JobState.QUEUED) {
        queued.add(job);
      }
    }
    queued.sort((a, b) -> a.createTime().compareTo(b.createTime()));
    for (TrainingJobRecord job : queued) {
      Live l = new Live(repository.loadEvents(job.id()));
      live.put(job.id(), l);
      workers.execute(() -> execute(job.id()));
    }
  }

  /**
   * Accepts a job (already validated) and queues it. With a request id seen before, returns the
   * job that request created instead.
   */
  public TrainingJobRecord create(String displayName, JobSpec spec, String requestId) {
    if (cluster != null) {
      return cluster.create(displayName, spec, requestId);
    }
    synchronized (lock) {
      if (!accepting) {
        throw new TrainerdException.FailedPrecondition(
            "SHUTTING_DOWN", "the server is shutting down; retry on another replica");
      }
      if (!requestId.isEmpty() && jobByRequestId.containsKey(requestId)) {
        TrainingJobRecord existing = jobs.get(jobByRequestId.get(requestId));
        if (existing != null) {
          if (!existing.spec().equals(spec) || !existing.displayName().equals(displayName)) {
            throw new TrainerdException.AlreadyExists(
                "REQUEST_ID_REUSED",
                "request_id " + requestId + " was used for a different job (" + existing.id() + ")");
          }
          return existing;
        }
      }
      if (queuedCount() >= maxQueued) {
        throw new TrainerdException.ResourceExhausted(
            "QUEUE_FULL", "the job queue is full (" + maxQueued + " waiting); retry later");
      }
      TrainingJobRecord job =
          TrainingJobRecord.queued(ids.get(), displayName, spec, clock.instant(), requestId);
      Live l = new Live(new ArrayList<>());
      live.put(job.id(), l);
      jobs.put(job.id(), job);
      if (!requestId.isEmpty()) {
        jobByRequestId.put(requestId, job.id());
      }
      repository.save(job);
      record(job.id(), l, stateEvent(l, job));
      repository.flush();
      listener.created(job);
      workers.execute(() -> execute(job.id()));
      return job;
    }
  }

  /** The job, or NOT_FOUND. */
  public TrainingJobRecord get(String id) {
    if (cluster != null) {
      return cluster.get(id);
    }
    synchronized (lock) {
      TrainingJobRecord job = jobs.get(id);
      if (job == null) {
        throw notFound(id);
      }
      return job;
    }
  }

  /** A page of jobs, newest first, optionally only in the given states. */
  public Page<TrainingJobRecord> list(int pageSize, String pageToken, Set<JobState> states) {
    if (cluster != null) {
      return cluster.list(pageSize, pageToken, states);
    }
    List<TrainingJobRecord> all;
    synchronized (lock) {
      all =
          jobs.values().stream()
              .filter(j -> states.isEmpty() || states.contains(j.state()))
              .toList();
    }
    return Page.of(all, j -> new Page.Key(j.createTime(), j.id()), pageSize, pageToken, "");
  }

  /** Jobs waiting for a free slot. */
  public long queuedCount() {
    if (cluster != null) {
      return cluster.queuedCount();
    }
    synchronized (lock) {
      return jobs.values().stream().filter(j -> j.state() == JobState.QUEUED).count();
    }
  }

  /** Whether a queued or running job reads this data set. */
  public boolean isDatasetInUse(String datasetId) {
    if (cluster != null) {
      return cluster.isDatasetInUse(datasetId);
    }
    synchronized (lock) {
      return jobs.values().stream()
          .anyMatch(j -> j.state().isActive() && j.spec().datasetIds().contains(datasetId));
    }
  }

  /**
   * Asks a job to stop. A queued job is CANCELLED at once; a running one goes to CANCELLING and
   * stops between two training steps. Finished jobs are returned as they are.
   */
  public TrainingJobRecord cancel(String id) {
    return cancel(id, null);
  }

  /**
   * {@link #cancel(String)}, recording {@code reason} as the cancelled job's message (a sweep
   * stopping a trial early says so); null for the default message. In cluster mode the job ends
   * with the default message wherever it runs.
   */
  public TrainingJobRecord cancel(String id, String reason) {
    if (cluster != null) {
      return cluster.cancel(id);
    }
    synchronized (lock) {
      TrainingJobRecord job = get(id);
      Live l = live.get(id);
      switch (job.state()) {
        case QUEUED -> {
          TrainingJobRecord done =
              transition(
                  id, JobState.CANCELLED, JobFailure.cancelled(reason != null ? reason : "cancelled while queued"));
          retire(id, l);
          listener.finished(done);
          return done;
        }
        case RUNNING -> {
          l.cancelReason = reason;
          l.cancelled.set(true);
          return transition(id, JobState.CANCELLING, null);
        }
        default -> {
          return job;
        }
      }
    }
  }

  /** Deletes a finished job's record and history. */
  public void delete(String id) {
    if (cluster != null) {
      cluster.delete(id);
      return;
    }
    synchronized (lock) {
      TrainingJobRecord job = get(id);
      if (job.state().isActive()) {
        throw new TrainerdException.FailedPrecondition(
            "JOB_ACTIVE", "job " + id + " is " + job.state() + "; cancel it and wait until it ends");
      }
      repository.delete(id);
      jobs.remove(id);
      finishedHistory.remove(id);
      if (!job.requestId().isEmpty()) {
        jobByRequestId.remove(job.requestId());
      }
    }
  }

  /**
   * Streams a job's history, then its live events, to {@code sink}; the terminal state change is
   * the last event. The returned handle stops delivery; the job is unaffected.
   */
  public Watch watch(String id, EventSink<JobEvent> sink) {
    if (cluster != null) {
      return cluster.watch(id, sink);
    }
    synchronized (lock) {
      TrainingJobRecord job = get(id);
      Live l = live.get(id);
      if (l == null) {
        List<JobEvent> history =
            finishedHistory.computeIfAbsent(id, repository::loadEvents);
        history.forEach(sink::onEvent);
        if (history.isEmpty() || !history.get(history.size() - 1).isTerminal()) {
          // Histories written before a crash may lack their last state change.
          sink.onEvent(new JobEvent.StateChanged(history.size() + 1L, clock.instant(), job));
        }
        sink.onEnd();
        return () -> {};
      }
      l.history.forEach(sink::onEvent);
      l.sinks.add(sink);
      return () -> {
        synchronized (lock) {
          l.sinks.remove(sink);
        }
      };
    }
  }

  /**
   * Stops accepting jobs; running ones get {@code grace} to finish, then are cancelled. In a
   * cluster they are re-queued (or failed) as their policy says, so another replica takes them.
   */
  public void shutdown(Duration grace) {
    if (cluster != null) {
      cluster.shutdown(grace);
      return;
    }
    synchronized (lock) {
      accepting = false;
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        synchronized (lock) {
          for (Map.Entry<String, Live> e : live.entrySet()) {
            if (jobs.get(e.getKey()).state() == JobState.RUNNING) {
              transition(e.getKey(), JobState.CANCELLING, null);
            }
            e.getValue().cancelled.set(true);
          }
        }
        workers.awaitTermination(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    repository.flush();
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }

  private void execute(String id) {
    Live l;
    TrainingJobRecord job;
    synchronized (lock) {
      job = jobs.get(id);
      l = live.get(id);
      if (job == null || job.state() != JobState.QUEUED || l == null) {
        return;
      }
      if (!accepting) {
        // Shutting down before it started: it stays QUEUED and runs after the restart.
        return;
      }
      job = transition(id, JobState.RUNNING, null);
    }
    listener.started(job);
    MDC.put("job_id", id);
    JobState outcome;
    JobFailure failure = null;
    String modelId = null;
    try {
      CancellationSignal cancel = l.cancelled::get;
      modelId = runner.run(job, new ProgressSink(id, l), cancel);
      outcome = JobState.SUCCEEDED;
    } catch (TrainingCancelledException e) {
      outcome = JobState.CANCELLED;
      String reason = l.cancelReason;
      failure =
          JobFailure.cancelled(
              !accepting() ? "cancelled by server shutdown" : reason != null ? reason : "cancelled on request");
    } catch (TrainerdException e) {
      outcome = JobState.FAILED;
      failure = new JobFailure(e.canonicalCode(), e.reason(), e.getMessage());
    } catch (Throwable e) {
      log.error("job {} failed", id, e);
      outcome = JobState.FAILED;
      failure = new JobFailure("INTERNAL", "TRAINING_FAILED", "training failed: " + summary(e));
    } finally {
      MDC.remove("job_id");
    }
    TrainingJobRecord done;
    synchronized (lock) {
      if (outcome == JobState.SUCCEEDED && l.cancelled.get()) {
        // Finished its last step while a cancel was in flight: the work is done, keep it.
        log.info("job {} finished before its cancel request took effect", id);
      }
      if (modelId != null) {
        jobs.put(id, jobs.get(id).withModel(modelId));
      }
      done = transition(id, outcome, failure);
      retire(id, l);
    }
    listener.finished(done);
  }

  private boolean accepting() {
    synchronized (lock) {
      return accepting;
    }
  }

  /** Moves a job to {@code next}, persisting before telling anyone. Caller holds the lock. */
  private TrainingJobRecord transition(String id, JobState next, JobFailure failure) {
    TrainingJobRecord current = jobs.get(id);
    if (!current.state().canMoveTo(next)) {
      throw new IllegalStateException(current.state() + " -> " + next + " for job " + id);
    }
    TrainingJobRecord updated = current.withState(next, clock.instant());
    if (failure != null) {
      updated = updated.withFailure(failure);
    }
    jobs.put(id, updated);
    repository.save(updated);
    // Only queued and running jobs change state, and each has its live history until retired.
    Live l = live.get(id);
    record(id, l, stateEvent(l, updated));
    repository.flush();
    return updated;
  }

  /** Ends a job's live state once it is terminal. Caller holds the lock. */
  private void retire(String id, Live l) {
    live.remove(id);
    finishedHistory.put(id, l.history);
    for (EventSink<JobEvent> sink : l.sinks) {
      sink.onEnd();
    }
    l.sinks.clear();
  }

  private JobEvent stateEvent(Live l, TrainingJobRecord job) {
    return new JobEvent.StateChanged(l.history.size() + 1L, clock.instant(), job);
  }

  /** Appends an event to history, storage and every watcher. Caller holds the lock. */
  private void record(String id, Live l, JobEvent event) {
    record(id, l, List.of(event));
  }

  /**
   * Appends events to the job's history (one write for all), then hands them to its watchers.
   * Caller holds the lock.
   */
  private void record(String id, Live l, List<JobEvent> events) {
    l.history.addAll(events);
    repository.appendEvents(id, events);
    for (JobEvent event : events) {
      for (EventSink<JobEvent> sink : l.sinks) {
        sink.onEvent(event);
      }
    }
  }

  static String summary(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  static TrainerdException.NotFound notFound(String id) {
    return new TrainerdException.NotFound("JOB_NOT_FOUND", "trainingJobs/" + id + " does not exist");
  }

  /** Per-job state that exists only while the job is queued or running. */
  private static final class Live {
    final List<JobEvent> history;
    final List<EventSink<JobEvent>> sinks = new ArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    volatile String cancelReason;

    Live(List<JobEvent> history) {
      this.history = history;
    }
  }

  /** Receives a running job's progress on its worker thread. */
  private final class ProgressSink implements JobRunner.Progress {
    private final String id;
    private final Live l;

    ProgressSink(String id, Live l) {
      this.id = id;
      this.l = l;
    }

    @Override
    public void epoch(EpochMetrics metrics) {
      epochs(List.of(metrics));
    }

    /** The folds' epoch: one update of the record and one append to the history for all. */
    @Override
    public void epochs(List<EpochMetrics> metrics) {
      TrainingJobRecord updated;
      synchronized (lock) {
        updated = jobs.get(id).withEpochs(metrics);
        jobs.put(id, updated);
        record(id, l, JobEvent.EpochFinished.all(l.history.size() + 1L, clock.instant(), metrics));
      }
      for (EpochMetrics m : metrics) {
        listener.epoch(updated, m);
      }
    }

    @Override
    public void fold(FoldResult fold) {
      synchronized (lock) {
        record(id, l, new JobEvent.FoldFinished(l.history.size() + 1L, clock.instant(), fold));
      }
    }

    @Override
    public void crossValidation(CrossValidationSummary result) {
      synchronized (lock) {
        TrainingJobRecord updated = jobs.get(id).withCrossValidation(result);
        jobs.put(id, updated);
        repository.save(updated);
      }
    }
  }

  /** Stops a watch. */
  @FunctionalInterface
  public interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
