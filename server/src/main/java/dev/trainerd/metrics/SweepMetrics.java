package dev.trainerd.metrics;

import dev.trainerd.sweeps.SweepListener;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.sweeps.TrialRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sweep meters, fed by the sweep manager's hooks: sweeps accepted, running and finished by
 * outcome, and trials ended by outcome (early stops included). Tags are outcomes only, never ids.
 */
public final class SweepMetrics implements MeterBinder, SweepListener {
  private final AtomicLong running = new AtomicLong();
  private MeterRegistry registry;

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("trainerd.sweeps.running", running, AtomicLong::get)
        .description("Hyperparameter sweeps with trials pending or training")
        .baseUnit("sweeps")
        .register(registry);
  }

  @Override
  public void created(SweepRecord sweep) {
    running.incrementAndGet();
    Counter.builder("trainerd.sweeps.created")
        .description("Hyperparameter sweeps accepted")
        .baseUnit("sweeps")
        .register(registry)
        .increment();
  }

  @Override
  public void trialEnded(TrialRecord trial) {
    Counter.builder("trainerd.sweeps.trials.ended")
        .description("Sweep trials that ended, by outcome (early_stopped: by the median rule)")
        .baseUnit("trials")
        .tag("outcome", trial.state().name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  @Override
  public void finished(SweepRecord sweep) {
    running.decrementAndGet();
    Counter.builder("trainerd.sweeps.finished")
        .description("Hyperparameter sweeps that ended, by outcome")
        .baseUnit("sweeps")
        .tag("outcome", sweep.state().name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }
}
