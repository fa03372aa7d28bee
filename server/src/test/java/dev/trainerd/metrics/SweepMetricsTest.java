package dev.trainerd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.JobFailure;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.sweeps.Dimension;
import dev.trainerd.sweeps.Objective;
import dev.trainerd.sweeps.ParameterSpace;
import dev.trainerd.sweeps.ParameterValue;
import dev.trainerd.sweeps.SweepDefinition;
import dev.trainerd.sweeps.SweepRecord;
import dev.trainerd.sweeps.SweepState;
import dev.trainerd.sweeps.TrialRecord;
import dev.trainerd.sweeps.TrialState;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SweepMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SweepMetrics metrics = new SweepMetrics();

  private static SweepRecord sweep(SweepState state) {
    JobSpec base =
        new JobSpec(
            "data", new SplitSpec.Holdout(0.2), TrainingSpec.builder().model(new ModelSpec.SoftmaxRegression()).build(),
            Optional.empty(), Optional.empty());
    SweepDefinition definition =
        new SweepDefinition(
            base, new ParameterSpace(List.of(new Dimension.Grid("lr", List.of("0.1")))), 1, 1,
            Objective.of(Objective.Metric.ACCURACY), Optional.empty(), 1);
    return new SweepRecord(
        "s1", "", definition, state, Instant.EPOCH, Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  @Test
  void countsSweepsAndTrialOutcomesWithoutIds() {
    metrics.bindTo(registry);
    metrics.created(sweep(SweepState.RUNNING));
    assertThat(registry.get("trainerd.sweeps.running").gauge().value()).isEqualTo(1);
    TrialRecord stopped =
        new TrialRecord(
            1, List.of(new ParameterValue("learning_rate", "0.1")), TrialState.EARLY_STOPPED, Optional.of("job"),
            Optional.empty(), Optional.empty(), 3, Optional.empty(), 0, Optional.of(JobFailure.cancelled("stopped early")));
    metrics.trialEnded(stopped);
    metrics.finished(sweep(SweepState.SUCCEEDED));
    assertThat(registry.get("trainerd.sweeps.running").gauge().value()).isZero();
    assertThat(registry.get("trainerd.sweeps.created").counter().count()).isEqualTo(1);
    assertThat(registry.get("trainerd.sweeps.trials.ended").tag("outcome", "early_stopped").counter().count()).isEqualTo(1);
    assertThat(registry.get("trainerd.sweeps.finished").tag("outcome", "succeeded").counter().count()).isEqualTo(1);
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getTags()).noneMatch(t -> t.getKey().contains("id"));
    }
  }
}
