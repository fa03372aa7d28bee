package dev.trainerd.sweeps;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.EventSink;
import dev.trainerd.jobs.JobEvent;
import dev.trainerd.jobs.JobFailure;
import dev.trainerd.jobs.JobManager;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.Page;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sweeps: draws the trials, keeps up to {@code parallelism} of them in flight as training
 * jobs, follows their progress through {@link JobManager#watch}, stops unpromising ones by the
 * median rule, and ranks the trials when the last one ends. Every state change is persisted
 * before it is reported.
 *
 * <p>The job manager calls watchers under its own lock, so trial events are handed to one
 * scheduler thread and handled there; this manager's lock is always taken before the job
 * manager's, never the other way round.
 */
public final class SweepManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SweepManager.class);
  /** How long to wait before retrying a trial refused because the job queue was full. */
  private static final long QUEUE_RETRY_MILLIS = 1000;

  private final JobManager jobs;
  private final TrialAdmission admission;
  private final SweepRepository repository;
  private final Clock clock;
  private final Supplier<String> ids;
  private final SweepListener listener;
  private final ScheduledExecutorService scheduler;

  private final Object lock = new Object();
  private final Map<String, SweepRecord> sweeps = new HashMap<>();
  private final Map<String, Run> runs = new HashMap<>();

  public SweepManager(
      JobManager jobs,
      TrialAdmission admission,
      SweepRepository repository,
      Clock clock,
      Supplier<String> ids,
      SweepListener listener) {
    this.jobs = jobs;
    this.admission = admission;
    this.repository = repository;
    this.clock = clock;
    this.ids = ids;
    this.listener = listener;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trainerd-sweeps");
              t.setDaemon(true);
              return t;
            });
    recover();
  }

  /**
   * Sweeps that were running when the server stopped end FAILED: their trials' jobs were failed
   * (running) or are cancelled now (queued), so nothing keeps running for a sweep nobody drives.
   */
  private void recover() {
    for (SweepRecord stored : repository.loadAll()) {
      SweepRecord sweep = stored;
      if (!sweep.state().isTerminal()) {
        JobFailure restarted =
            new JobFailure("ABORTED", "SERVER_RESTARTED", "the server restarted while the sweep ran; create it again");
        for (TrialRecord trial : sweep.trials()) {
          if (trial.state().isTerminal()) {
            continue;
          }
          trial.jobId().ifPresent(this::cancelQuietly);
          sweep =
              sweep.withTrial(
                  trial.ended(TrialState.CANCELLED, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(restarted)));
        }
        sweep = sweep.ranked(Ranking.rank(sweep.trials(), sweep.definition().objective()));
        sweep = sweep.withState(SweepState.FAILED, clock.instant(), Optional.of(restarted));
        repository.save(sweep);
        log.info("sweep {} was running when the server stopped; marked FAILED", sweep.id());
      }
      sweeps.put(sweep.id(), sweep);
    }
  }

  private void cancelQuietly(String jobId) {
    try {
      jobs.cancel(jobId, "its sweep ended when the server restarted");
    } catch (TrainerdException.NotFound e) {
      // Deleted since; nothing to stop.
    }
  }

  /**
   * Validates the definition and every trial's spec, stores the sweep and starts its first
   * trials. Throws INVALID_ARGUMENT with field violations (and whatever job admission throws for
   * a trial that could not run).
   */
  public SweepRecord create(String displayName, SweepDefinition definition) {
    List<FieldViolation> violations = definition.validate();
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    List<List<ParameterValue>> draws = definition.space().sample(definition.trialCount(), definition.seed());
    Map<Integer, JobSpec> specs = new LinkedHashMap<>();
    List<FieldViolation> trialViolations = new ArrayList<>();
    for (int i = 0; i < draws.size(); i++) {
      String label = "trial " + (i + 1) + " (" + describe(draws.get(i)) + "): ";
      SweepParameters.Applied applied = SweepParameters.apply(definition.baseSpec(), draws.get(i));
      applied.violations().forEach(v -> trialViolations.add(new FieldViolation(v.field(), label + v.description())));
      if (applied.violations().isEmpty()) {
        applied.spec().training().validate()
            .forEach(v -> trialViolations.add(new FieldViolation("parameters", label + v.field() + " " + v.description())));
      }
      specs.put(i + 1, applied.spec());
      if (trialViolations.size() >= 20) {
        break;
      }
    }
    if (!trialViolations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(trialViolations);
    }
    Set<JobSpec> checked = new HashSet<>();
    for (Map.Entry<Integer, JobSpec> e : specs.entrySet()) {
      if (checked.add(e.getValue())) {
        try {
          admission.check(e.getValue());
        } catch (TrainerdException.InvalidArgument invalid) {
          String label = "trial " + e.getKey() + " (" + describe(draws.get(e.getKey() - 1)) + "): ";
          throw TrainerdException.InvalidArgument.of(
              invalid.violations().stream()
                  .map(v -> new FieldViolation(v.field().replaceFirst("^spec\\b", "base_spec"), label + v.description()))
                  .toList());
        }
      }
    }
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < draws.size(); i++) {
      trials.add(TrialRecord.pending(i + 1, draws.get(i)));
    }
    SweepRecord sweep;
    synchronized (lock) {
      sweep =
          new SweepRecord(
              ids.get(), displayName, definition, SweepState.RUNNING, clock.instant(), Optional.empty(), trials,
              Optional.empty(), Optional.empty(), Optional.empty());
      Run run = new Run(specs);
      runs.put(sweep.id(), run);
      sweeps.put(sweep.id(), sweep);
      repository.save(sweep);
      emit(run, new SweepEvent.StateChanged(run.next(), clock.instant(), sweep));
    }
    listener.created(sweep);
    String id = sweep.id();
    scheduler.execute(() -> fill(id));
    return sweep;
  }

  /** The sweep, or NOT_FOUND. */
  public SweepRecord get(String id) {
    synchronized (lock) {
      SweepRecord sweep = sweeps.get(id);
      if (sweep == null) {
        throw new TrainerdException.NotFound("SWEEP_NOT_FOUND", "sweeps/" + id + " does not exist");
      }
      return sweep;
    }
  }

  /** A page of sweeps, newest first. */
  public Page<SweepRecord> list(int pageSize, String pageToken) {
    List<SweepRecord> all;
    synchronized (lock) {
      all = List.copyOf(sweeps.values());
    }
    return Page.of(all, s -> new Page.Key(s.createTime(), s.id()), pageSize, pageToken, "");
  }

  /**
   * Cancels the sweep: pending trials are CANCELLED at once, running ones are asked to stop and
   * the sweep is CANCELLED when the last has. FAILED_PRECONDITION when the sweep has ended.
   */
  public SweepRecord cancel(String id) {
    SweepRecord done = null;
    SweepRecord sweep;
    synchronized (lock) {
      sweep = get(id);
      if (sweep.state().isTerminal()) {
        throw new TrainerdException.FailedPrecondition(
            "SWEEP_ENDED", "sweeps/" + id + " has already ended (" + sweep.state() + "); there is nothing to cancel");
      }
      if (sweep.state() == SweepState.CANCELLING) {
        return sweep;
      }
      Run run = runs.get(id);
      JobFailure cancelled = JobFailure.cancelled("cancelled with its sweep");
      sweep = sweep.withState(SweepState.CANCELLING, clock.instant(), Optional.of(JobFailure.cancelled("cancelled on request")));
      for (TrialRecord trial : sweep.trials()) {
        if (trial.state() == TrialState.PENDING) {
          TrialRecord ended =
              trial.ended(TrialState.CANCELLED, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(cancelled));
          sweep = sweep.withTrial(ended);
          emit(run, new SweepEvent.TrialChanged(run.next(), clock.instant(), ended));
        }
      }
      run.pending.clear();
      sweeps.put(id, sweep);
      repository.save(sweep);
      emit(run, new SweepEvent.StateChanged(run.next(), clock.instant(), sweep));
      for (TrialRecord trial : sweep.trials()) {
        if (trial.state() == TrialState.RUNNING) {
          jobs.cancel(trial.jobId().orElseThrow(), "cancelled with sweep " + id);
        }
      }
      done = finishIfDone(id);
      sweep = sweeps.get(id);
    }
    if (done != null) {
      listener.finished(done);
    }
    return sweep;
  }

  /**
   * Streams a sweep's events so far, then live ones, to {@code sink}; a terminal state change is
   * the last. A sweep that has ended streams its final record. The handle stops delivery.
   */
  public JobManager.Watch watch(String id, EventSink<SweepEvent> sink) {
    synchronized (lock) {
      SweepRecord sweep = get(id);
      Run run = runs.get(id);
      if (run == null) {
        sink.onEvent(new SweepEvent.StateChanged(1, sweep.endTime().orElse(sweep.createTime()), sweep));
        sink.onEnd();
        return () -> {};
      }
      run.history.forEach(sink::onEvent);
      run.sinks.add(sink);
      return () -> {
        synchronized (lock) {
          run.sinks.remove(sink);
        }
      };
    }
  }

  /** Stops handling trial events; sweeps still running are failed on the next start. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    synchronized (lock) {
      for (Run run : runs.values()) {
        run.watches.values().forEach(JobManager.Watch::close);
      }
    }
  }

  /** Starts pending trials while the sweep has room for them. Runs on the scheduler. */
  private void fill(String id) {
    SweepRecord done;
    synchronized (lock) {
      Run run = runs.get(id);
      if (run == null) {
        return;
      }
      SweepRecord sweep = sweeps.get(id);
      while (sweep.state() == SweepState.RUNNING
          && !run.pending.isEmpty()
          && running(sweep) < sweep.definition().parallelism()) {
        int number = run.pending.peek();
        TrainingJobRecord job;
        try {
          job = jobs.create(trialDisplayName(sweep, number), run.specs.get(number), "");
        } catch (TrainerdException.ResourceExhausted full) {
          scheduler.schedule(() -> fill(id), QUEUE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
          return;
        } catch (TrainerdException.FailedPrecondition shuttingDown) {
          // The server is stopping; the sweep is failed when it starts again.
          return;
        } catch (TrainerdException refused) {
          run.pending.poll();
          TrialRecord failed =
              sweep.trial(number).ended(
                  TrialState.FAILED, Optional.empty(), Optional.empty(), Optional.empty(),
                  Optional.of(new JobFailure(refused.canonicalCode(), refused.reason(), refused.getMessage())));
          sweep = update(id, run, failed);
          continue;
        }
        run.pending.poll();
        sweep = update(id, run, sweep.trial(number).started(job.id()));
        run.watches.put(number, jobs.watch(job.id(), new TrialSink(id, number)));
      }
      done = finishIfDone(id);
    }
    if (done != null) {
      listener.finished(done);
    }
  }

  /** Handles one event of a trial's job. Runs on the scheduler. */
  private void onTrialEvent(String id, int number, JobEvent event) {
    TrialRecord ended = null;
    synchronized (lock) {
      Run run = runs.get(id);
      if (run == null) {
        return;
      }
      SweepRecord sweep = sweeps.get(id);
      TrialRecord trial = sweep.trial(number);
      if (trial.state().isTerminal()) {
        return;
      }
      if (event instanceof JobEvent.EpochFinished epoch) {
        EpochMetrics m = epoch.metrics();
        TrialRecord updated = trial.withEpochs(trial.epochsCompleted() + 1, m.evaluation());
        sweeps.put(id, sweep.withTrial(updated));
        emit(run, new SweepEvent.TrialEpoch(run.next(), epoch.time(), number, m));
        m.evaluation().ifPresent(eval -> considerStopping(sweep, run, updated, m, eval));
      } else if (event instanceof JobEvent.StateChanged change && change.job().state().isTerminal()) {
        ended = trialEnded(sweep, run, trial, change.job());
        update(id, run, ended);
        JobManager.Watch watch = run.watches.remove(number);
        if (watch != null) {
          watch.close();
        }
      }
    }
    if (ended != null) {
      listener.trialEnded(ended);
      fill(id);
    }
  }

  private void considerStopping(SweepRecord sweep, Run run, TrialRecord trial, EpochMetrics m, EvaluationMetrics eval) {
    Objective objective = sweep.definition().objective();
    double value = objective.valueOf(eval);
    long key = ((long) (m.fold().orElse(-1) + 1) << 32) | m.epoch();
    run.curves.computeIfAbsent(trial.number(), n -> new HashMap<>()).put(key, value);
    if (sweep.definition().earlyStopping().isEmpty()
        || sweep.state() != SweepState.RUNNING
        || run.stopping.contains(trial.number())
        || trial.epochsCompleted() >= run.specs.get(trial.number()).totalEpochs()) {
      return;
    }
    List<Double> others = new ArrayList<>();
    run.curves.forEach(
        (n, curve) -> {
          if (n != trial.number() && curve.containsKey(key)) {
            others.add(curve.get(key));
          }
        });
    MedianStoppingRule rule = sweep.definition().earlyStopping().get();
    if (rule.shouldStop(m.epoch(), value, others, objective)) {
      run.stopping.add(trial.number());
      String where = m.fold().isPresent() ? "epoch " + m.epoch() + " of fold " + (m.fold().getAsInt() + 1) : "epoch " + m.epoch();
      String reason =
          "stopped early by sweep " + sweep.id() + ": " + objective.metric().name().toLowerCase() + " " + value
              + " at " + where + " is worse than the median " + MedianStoppingRule.median(others) + " of "
              + others.size() + " other trials";
      log.info("sweep {} trial {}: {}", sweep.id(), trial.number(), reason);
      jobs.cancel(trial.jobId().orElseThrow(), reason);
    }
  }

  private TrialRecord trialEnded(SweepRecord sweep, Run run, TrialRecord trial, TrainingJobRecord job) {
    Objective objective = sweep.definition().objective();
    Optional<EvaluationMetrics> finalMetrics =
        job.crossValidation().map(cv -> cv.meanValidation()).or(() -> job.latestEpoch().flatMap(EpochMetrics::evaluation));
    TrialRecord counted = trial.withEpochs(job.epochsCompleted(), Optional.empty());
    if (job.state() == JobState.SUCCEEDED) {
      Optional<Double> value = finalMetrics.map(objective::valueOf).filter(v -> !Double.isNaN(v));
      return counted.ended(TrialState.SUCCEEDED, value, finalMetrics, job.modelId(), Optional.empty());
    }
    TrialState outcome =
        job.state() == JobState.FAILED
            ? TrialState.FAILED
            : run.stopping.contains(trial.number()) ? TrialState.EARLY_STOPPED : TrialState.CANCELLED;
    return counted.ended(outcome, Optional.empty(), Optional.empty(), Optional.empty(), job.failure());
  }

  /** Stores and reports a changed trial; returns the sweep. Caller holds the lock. */
  private SweepRecord update(String id, Run run, TrialRecord trial) {
    SweepRecord sweep = sweeps.get(id).withTrial(trial);
    sweeps.put(id, sweep);
    repository.save(sweep);
    emit(run, new SweepEvent.TrialChanged(run.next(), clock.instant(), trial));
    return sweep;
  }

  /** Ends the sweep when no trial is left to run; returns it then, else null. Caller holds the lock. */
  private SweepRecord finishIfDone(String id) {
    SweepRecord sweep = sweeps.get(id);
    Run run = runs.get(id);
    if (run == null || sweep.state().isTerminal() || sweep.trials().stream().anyMatch(t -> !t.state().isTerminal())) {
      return null;
    }
    sweep = sweep.ranked(Ranking.rank(sweep.trials(), sweep.definition().objective()));
    if (sweep.state() == SweepState.CANCELLING) {
      sweep = sweep.withState(SweepState.CANCELLED, clock.instant(), Optional.empty());
    } else if (sweep.bestTrial().isPresent()) {
      sweep = sweep.withState(SweepState.SUCCEEDED, clock.instant(), Optional.empty());
    } else {
      sweep =
          sweep.withState(
              SweepState.FAILED, clock.instant(),
              Optional.of(new JobFailure("ABORTED", "NO_TRIAL_SUCCEEDED", "no trial succeeded; the trials' errors say why")));
    }
    sweeps.put(id, sweep);
    repository.save(sweep);
    emit(run, new SweepEvent.StateChanged(run.next(), clock.instant(), sweep));
    runs.remove(id);
    run.sinks.forEach(EventSink::onEnd);
    run.sinks.clear();
    return sweep;
  }

  private void emit(Run run, SweepEvent event) {
    run.history.add(event);
    for (EventSink<SweepEvent> sink : run.sinks) {
      sink.onEvent(event);
    }
  }

  private static long running(SweepRecord sweep) {
    return sweep.trials().stream().filter(t -> t.state() == TrialState.RUNNING).count();
  }

  private static String trialDisplayName(SweepRecord sweep, int number) {
    String name = "sweep " + sweep.id() + " trial " + number + ": " + describe(sweep.trial(number).parameters());
    return name.length() <= 200 ? name : name.substring(0, 200);
  }

  private static String describe(List<ParameterValue> values) {
    return values.stream().map(ParameterValue::toString).collect(Collectors.joining(", "));
  }

  /** Live state of a running sweep. */
  private static final class Run {
    final Map<Integer, JobSpec> specs;
    final Deque<Integer> pending = new ArrayDeque<>();
    final List<SweepEvent> history = new ArrayList<>();
    final List<EventSink<SweepEvent>> sinks = new ArrayList<>();
    final Map<Integer, JobManager.Watch> watches = new HashMap<>();
    /** Objective value per trial, by ((fold + 1) << 32 | epoch), fold -1 without folds. */
    final Map<Integer, Map<Long, Double>> curves = new HashMap<>();
    final Set<Integer> stopping = new HashSet<>();

    Run(Map<Integer, JobSpec> specs) {
      this.specs = Map.copyOf(specs);
      pending.addAll(new java.util.TreeSet<>(specs.keySet()));
    }

    long next() {
      return history.size() + 1L;
    }
  }

  /** Hands a trial job's events to the scheduler (the job manager calls it under its lock). */
  private final class TrialSink implements EventSink<JobEvent> {
    private final String sweepId;
    private final int number;

    TrialSink(String sweepId, int number) {
      this.sweepId = sweepId;
      this.number = number;
    }

    @Override
    public void onEvent(JobEvent event) {
      try {
        scheduler.execute(() -> onTrialEvent(sweepId, number, event));
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // Shutting down: the sweep is failed on the next start.
      }
    }

    @Override
    public void onEnd() {}
  }
}
