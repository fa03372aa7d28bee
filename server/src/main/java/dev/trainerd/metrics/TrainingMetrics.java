package dev.trainerd.metrics;

import dev.trainerd.jobs.JobLifecycleListener;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.EpochMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The training meters, fed by the job manager's lifecycle hooks. Every meter is tagged by model
 * kind (a handful of values) and, for outcomes, by terminal state; never by job id.
 */
public final class TrainingMetrics implements MeterBinder, JobLifecycleListener {
  private final LongSupplier queueDepth;
  private MeterRegistry registry;
  private final Map<String, LongTaskTimer.Sample> running = new ConcurrentHashMap<>();
  private final Map<String, AtomicDouble> lastLoss = new ConcurrentHashMap<>();
  private final Map<String, AtomicDouble> lastAccuracy = new ConcurrentHashMap<>();
  private final Map<String, Integer> runningByKind = new ConcurrentHashMap<>();
  /**
   * Per model kind, the per-epoch meters, registered once: a K-fold job reports an epoch per fold,
   * hundreds per second on the training thread, and building and looking a meter up each time cost
   * more than recording into it.
   */
  private final Map<String, EpochMeters> epochMeters = new ConcurrentHashMap<>();

  private record EpochMeters(Timer duration, Counter examples) {}

  /** @param queueDepth jobs waiting for a slot, read at scrape time */
  public TrainingMetrics(LongSupplier queueDepth) {
    this.queueDepth = queueDepth;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("trainerd.jobs.queued", queueDepth::getAsLong)
        .description("Training jobs waiting for a free slot")
        .baseUnit("jobs")
        .register(registry);
  }

  @Override
  public void created(TrainingJobRecord job) {
    Counter.builder("trainerd.jobs.created")
        .description("Training jobs accepted")
        .baseUnit("jobs")
        .tag("model_kind", kind(job))
        .register(registry)
        .increment();
  }

  @Override
  public synchronized void started(TrainingJobRecord job) {
    LongTaskTimer timer =
        LongTaskTimer.builder("trainerd.jobs.running")
            .description("Training jobs running now, and for how long")
            .tag("model_kind", kind(job))
            .register(registry);
    running.put(job.id(), timer.start());
    runningByKind.merge(kind(job), 1, Integer::sum);
  }

  @Override
  public void epoch(TrainingJobRecord job, EpochMetrics metrics) {
    String kind = kind(job);
    EpochMeters meters = epochMeters.computeIfAbsent(kind, this::epochMeters);
    meters.duration().record((long) (metrics.durationSeconds() * 1e9), TimeUnit.NANOSECONDS);
    meters.examples().increment(metrics.examplesPerSecond() * metrics.durationSeconds());
    gauge(lastLoss, "trainerd.training.loss", "Training loss of the latest epoch of a running job", kind)
        .set(metrics.trainLoss());
    if (!Double.isNaN(metrics.trainAccuracy())) {
      gauge(lastAccuracy, "trainerd.training.accuracy", "Training accuracy of the latest epoch of a running job", kind)
          .set(metrics.trainAccuracy());
    }
  }

  @Override
  public synchronized void finished(TrainingJobRecord job) {
    LongTaskTimer.Sample sample = running.remove(job.id());
    if (sample != null) {
      sample.stop();
      String kind = kind(job);
      if (runningByKind.merge(kind, -1, Integer::sum) <= 0) {
        // No job of this kind runs any more: the gauges have no current value to report.
        runningByKind.remove(kind);
        java.util.Optional.ofNullable(lastLoss.get(kind)).ifPresent(g -> g.set(Double.NaN));
        java.util.Optional.ofNullable(lastAccuracy.get(kind)).ifPresent(g -> g.set(Double.NaN));
      }
    }
    JobState state = job.state();
    Counter.builder("trainerd.jobs.finished")
        .description("Training jobs that ended, by outcome")
        .baseUnit("jobs")
        .tag("model_kind", kind(job))
        .tag("outcome", state.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry)
        .increment();
  }

  private EpochMeters epochMeters(String kind) {
    return new EpochMeters(
        Timer.builder("trainerd.training.epoch.duration")
            .description("Wall time of one training epoch")
            .tag("model_kind", kind)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry),
        Counter.builder("trainerd.training.examples")
            .description("Training examples processed; its rate is examples per second")
            .baseUnit("examples")
            .tag("model_kind", kind)
            .register(registry));
  }

  private AtomicDouble gauge(Map<String, AtomicDouble> values, String name, String description, String kind) {
    return values.computeIfAbsent(
        kind,
        k -> {
          AtomicDouble value = new AtomicDouble();
          Gauge.builder(name, value, AtomicDouble::get)
              .description(description)
              .tag("model_kind", k)
              .strongReference(true)
              .register(registry);
          return value;
        });
  }

  private static String kind(TrainingJobRecord job) {
    return job.spec().training().model().kind();
  }

  /** A double a gauge can read. */
  static final class AtomicDouble {
    private final AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));

    void set(double value) {
      bits.set(Double.doubleToLongBits(value));
    }

    double get() {
      return Double.longBitsToDouble(bits.get());
    }
  }
}
