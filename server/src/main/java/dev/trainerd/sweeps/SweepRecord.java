package dev.trainerd.sweeps;

import dev.trainerd.jobs.JobFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A sweep as stored and reported. Immutable.
 *
 * @param id short URL-safe id; the resource name is {@code sweeps/{id}}
 * @param displayName the client's name for it
 * @param definition what it runs
 * @param state lifecycle state
 * @param createTime when it was accepted
 * @param endTime when it ended
 * @param trials in trial order while running; ranked (best first) once ended
 * @param bestTrial the best trial's number once SUCCEEDED
 * @param bestModelId the best trial's model once SUCCEEDED
 * @param failure why it failed or was cancelled
 */
public record SweepRecord(
    String id,
    String displayName,
    SweepDefinition definition,
    SweepState state,
    Instant createTime,
    Optional<Instant> endTime,
    List<TrialRecord> trials,
    Optional<Integer> bestTrial,
    Optional<String> bestModelId,
    Optional<JobFailure> failure) {

  public SweepRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createTime, "createTime");
    Objects.requireNonNull(endTime, "endTime");
    trials = List.copyOf(trials);
    Objects.requireNonNull(bestTrial, "bestTrial");
    Objects.requireNonNull(bestModelId, "bestModelId");
    Objects.requireNonNull(failure, "failure");
  }

  /** The trial numbered {@code number}. */
  public TrialRecord trial(int number) {
    for (TrialRecord t : trials) {
      if (t.number() == number) {
        return t;
      }
    }
    throw new IllegalArgumentException("sweep " + id + " has no trial " + number);
  }

  SweepRecord withTrial(TrialRecord trial) {
    List<TrialRecord> updated = new ArrayList<>(trials);
    for (int i = 0; i < updated.size(); i++) {
      if (updated.get(i).number() == trial.number()) {
        updated.set(i, trial);
      }
    }
    return new SweepRecord(id, displayName, definition, state, createTime, endTime, updated, bestTrial, bestModelId, failure);
  }

  SweepRecord withState(SweepState next, Instant now, Optional<JobFailure> why) {
    return new SweepRecord(
        id, displayName, definition, next, createTime, next.isTerminal() ? Optional.of(now) : endTime, trials,
        bestTrial, bestModelId, why.or(() -> failure));
  }

  SweepRecord ranked(List<TrialRecord> rankedTrials) {
    Optional<TrialRecord> best = rankedTrials.stream().filter(t -> t.rank() == 1).findFirst();
    return new SweepRecord(
        id, displayName, definition, state, createTime, endTime, rankedTrials, best.map(TrialRecord::number),
        best.flatMap(TrialRecord::modelId), failure);
  }
}
