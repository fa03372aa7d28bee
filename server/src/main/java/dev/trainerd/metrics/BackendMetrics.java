package dev.trainerd.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * What the training backend can train on: {@code trainerd.backend.gpus}, the GPUs jobs use by
 * default (the engine uses at most one), tagged by the installed build ({@code build=cpu|gpu}).
 * Unknown (NaN) until the backend's warm-up has probed its devices. A GPU build reading 0 trains
 * on the CPU (its CUDA libraries did not load), which deserves an alert.
 */
public final class BackendMetrics implements MeterBinder {
  private final boolean gpuBuild;
  private volatile double gpus = Double.NaN;

  /** @param gpuBuild whether the installed backend is its GPU build */
  public BackendMetrics(boolean gpuBuild) {
    this.gpuBuild = gpuBuild;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("trainerd.backend.gpus", this, m -> m.gpus)
        .description("GPUs the training backend uses by default; unknown until its warm-up probed its devices")
        .baseUnit("gpus")
        .tag("build", gpuBuild ? "gpu" : "cpu")
        .register(registry);
  }

  /** Records the probe's answer: whether jobs train on a GPU by default. */
  public void probed(boolean trainsOnGpu) {
    gpus = trainsOnGpu ? 1 : 0;
  }
}
