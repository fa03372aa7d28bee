package dev.trainerd.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.JobState;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainingSpec;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainingMetricsTest {
  private final MockClock clock = new MockClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private long queued = 3;
  private final TrainingMetrics metrics = new TrainingMetrics(() -> queued);

  private static TrainingJobRecord job(String id, JobState state) {
    JobSpec spec =
        new JobSpec(
            "data",
            new SplitSpec.None(),
            TrainingSpec.builder().model(new ModelSpec.SoftmaxRegression()).build(),
            Optional.empty(),
            Optional.empty());
    return new TrainingJobRecord(
        id, "", spec, state, Instant.EPOCH, Optional.empty(), Optional.empty(), 0, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), "");
  }

  private static EpochMetrics epoch(int n, double seconds, double loss, double accuracy) {
    return new EpochMetrics(n, OptionalInt.empty(), loss, accuracy, Double.NaN, Double.NaN, Optional.empty(), 1.0, seconds, 1000 / seconds);
  }

  @Test
  void followsAJobThroughItsLife() {
    metrics.bindTo(registry);
    assertThat(registry.get("trainerd.jobs.queued").gauge().value()).isEqualTo(3);
    queued = 0;
    assertThat(registry.get("trainerd.jobs.queued").gauge().value()).isZero();

    metrics.created(job("a", JobState.QUEUED));
    assertThat(registry.get("trainerd.jobs.created").tag("model_kind", "softmax_regression").counter().count()).isEqualTo(1);

    metrics.started(job("a", JobState.RUNNING));
    clock.add(Duration.ofSeconds(2));
    LongTaskTimer running = registry.get("trainerd.jobs.running").longTaskTimer();
    assertThat(running.activeTasks()).isEqualTo(1);
    assertThat(running.duration(TimeUnit.SECONDS)).isCloseTo(2.0, within(1e-9));

    metrics.epoch(job("a", JobState.RUNNING), epoch(1, 0.5, 0.9, 0.7));
    metrics.epoch(job("a", JobState.RUNNING), epoch(2, 0.25, 0.6, 0.8));
    Timer epochs = registry.get("trainerd.training.epoch.duration").tag("model_kind", "softmax_regression").timer();
    assertThat(epochs.count()).isEqualTo(2);
    assertThat(epochs.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(750, within(1e-6));
    assertThat(registry.get("trainerd.training.examples").counter().count()).isCloseTo(2000, within(1e-6));
    assertThat(registry.get("trainerd.training.loss").gauge().value()).isEqualTo(0.6);
    assertThat(registry.get("trainerd.training.accuracy").gauge().value()).isEqualTo(0.8);

    metrics.finished(job("a", JobState.SUCCEEDED));
    assertThat(running.activeTasks()).isZero();
    assertThat(registry.get("trainerd.jobs.finished").tags("outcome", "succeeded", "model_kind", "softmax_regression").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("trainerd.training.loss").gauge().value()).isNaN();
  }

  @Test
  void cancelledQueuedJobsCountAsFinishedWithoutHavingRun() {
    metrics.bindTo(registry);
    metrics.finished(job("b", JobState.CANCELLED));
    assertThat(registry.get("trainerd.jobs.finished").tag("outcome", "cancelled").counter().count()).isEqualTo(1);
  }

  @Test
  void everyMeterHasADescriptionAndNoIdTag() {
    metrics.bindTo(registry);
    metrics.created(job("c", JobState.QUEUED));
    metrics.started(job("c", JobState.RUNNING));
    metrics.epoch(job("c", JobState.RUNNING), epoch(1, 0.1, 1, 0.5));
    metrics.finished(job("c", JobState.FAILED));
    new DatasetMetrics(registry).upload(DatasetMetrics.Outcome.STORED, 10, Duration.ofMillis(5));
    registry.getMeters().forEach(m -> {
      assertThat(m.getId().getDescription()).as(m.getId().getName()).isNotBlank();
      assertThat(m.getId().getName()).matches("[a-z][a-z0-9.]*");
      m.getId().getTags().forEach(t -> assertThat(t.getKey()).isIn("model_kind", "outcome"));
    });
  }
}
