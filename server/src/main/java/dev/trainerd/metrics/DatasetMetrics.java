package dev.trainerd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/** Data-set uploads: how many, how large, how long, by outcome. */
public final class DatasetMetrics {
  /** How an upload ended; the tag values are these names in lowercase. */
  public enum Outcome {
    STORED,
    INVALID,
    TOO_LARGE,
    CANCELLED,
    FAILED
  }

  private final MeterRegistry registry;

  public DatasetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one finished upload. */
  public void upload(Outcome outcome, long bytes, Duration duration) {
    String tag = outcome.name().toLowerCase(Locale.ROOT);
    Counter.builder("trainerd.dataset.uploads")
        .description("Data-set uploads, by outcome")
        .baseUnit("uploads")
        .tag("outcome", tag)
        .register(registry)
        .increment();
    DistributionSummary.builder("trainerd.dataset.upload.size")
        .description("Bytes received per upload")
        .baseUnit("bytes")
        .tag("outcome", tag)
        .register(registry)
        .record(bytes);
    Timer.builder("trainerd.dataset.upload.duration")
        .description("Time from the first upload message to the stored data set or the error")
        .tag("outcome", tag)
        .register(registry)
        .record(duration);
  }
}
