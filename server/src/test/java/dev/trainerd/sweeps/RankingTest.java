package dev.trainerd.sweeps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.JobFailure;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ranking by the objective, either way. */
class RankingTest {
  private static TrialRecord trial(int n, TrialState state, double value) {
    return TrialRecord.pending(n, List.of(new ParameterValue("learning_rate", "0." + n)))
        .ended(
            state, Double.isNaN(value) ? Optional.empty() : Optional.of(value), Optional.empty(), Optional.empty(),
            state == TrialState.SUCCEEDED ? Optional.empty() : Optional.of(JobFailure.cancelled("stopped")));
  }

  private final List<TrialRecord> trials =
      List.of(
          trial(1, TrialState.SUCCEEDED, 0.20),
          trial(2, TrialState.EARLY_STOPPED, Double.NaN),
          trial(3, TrialState.SUCCEEDED, 0.12),
          trial(4, TrialState.SUCCEEDED, 0.20),
          trial(5, TrialState.FAILED, Double.NaN),
          trial(6, TrialState.SUCCEEDED, Double.NaN));

  @Test
  void minimisingPutsTheSmallestFirstAndUnscoredTrialsLast() {
    List<TrialRecord> ranked = Ranking.rank(trials, Objective.of(Objective.Metric.LOG_RMSE));
    assertThat(ranked).extracting(TrialRecord::number).containsExactly(3, 1, 4, 2, 5, 6);
    assertThat(ranked).extracting(TrialRecord::rank).containsExactly(1, 2, 3, 0, 0, 0);
  }

  @Test
  void maximisingPutsTheLargestFirst() {
    List<TrialRecord> ranked = Ranking.rank(trials, Objective.of(Objective.Metric.ACCURACY));
    assertThat(ranked).extracting(TrialRecord::number).containsExactly(1, 4, 3, 2, 5, 6);
  }
}
