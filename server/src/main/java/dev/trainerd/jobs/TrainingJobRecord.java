package dev.trainerd.jobs;

import dev.trainerd.ml.EpochMetrics;
import java.time.Instant;
import java.util.Objects;
import java.util.List;
import java.util.Optional;

/**
 * A training job as stored and reported. Immutable: every change makes a new record.
 *
 * @param id short URL-safe id; the resource name is {@code trainingJobs/{id}}
 * @param displayName the client's name for it
 * @param spec what it trains
 * @param state lifecycle state
 * @param createTime when it was accepted
 * @param startTime when it started running
 * @param endTime when it reached a terminal state
 * @param epochsCompleted epochs finished over all folds and the final model
 * @param latestEpoch the last finished epoch's metrics
 * @param crossValidation K-fold summary once every fold is done
 * @param modelId the trained model's id once it succeeded
 * @param failure why it failed or was cancelled
 * @param requestId the client's idempotency key, empty if none
 */
public record TrainingJobRecord(
    String id,
    String displayName,
    JobSpec spec,
    JobState state,
    Instant createTime,
    Optional<Instant> startTime,
    Optional<Instant> endTime,
    int epochsCompleted,
    Optional<EpochMetrics> latestEpoch,
    Optional<CrossValidationSummary> crossValidation,
    Optional<String> modelId,
    Optional<JobFailure> failure,
    String requestId) {

  public TrainingJobRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createTime, "createTime");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(latestEpoch, "latestEpoch");
    Objects.requireNonNull(crossValidation, "crossValidation");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(requestId, "requestId");
  }

  /** A new job waiting in the queue. */
  public static TrainingJobRecord queued(
      String id, String displayName, JobSpec spec, Instant now, String requestId) {
    return new TrainingJobRecord(
        id, displayName, spec, JobState.QUEUED, now, Optional.empty(), Optional.empty(), 0,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), requestId);
  }

  /** Epochs the whole job runs. */
  public int epochsTotal() {
    return spec.totalEpochs();
  }

  TrainingJobRecord withState(JobState next, Instant now) {
    return new TrainingJobRecord(
        id, displayName, spec, next, createTime,
        next == JobState.RUNNING ? Optional.of(now) : startTime,
        next.isTerminal() ? Optional.of(now) : endTime,
        epochsCompleted, latestEpoch, crossValidation, modelId, failure, requestId);
  }

  /** Back in the queue after its replica was lost: the lost attempt's progress is forgotten. */
  TrainingJobRecord requeued() {
    return new TrainingJobRecord(
        id, displayName, spec, JobState.QUEUED, createTime, Optional.empty(), Optional.empty(), 0,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), requestId);
  }

  /** After {@code epochs} finished, in order (a cross-validation epoch's folds): the last is the latest. */
  TrainingJobRecord withEpochs(List<EpochMetrics> epochs) {
    return new TrainingJobRecord(
        id, displayName, spec, state, createTime, startTime, endTime, epochsCompleted + epochs.size(),
        Optional.of(epochs.get(epochs.size() - 1)), crossValidation, modelId, failure, requestId);
  }

  TrainingJobRecord withCrossValidation(CrossValidationSummary cv) {
    return new TrainingJobRecord(
        id, displayName, spec, state, createTime, startTime, endTime, epochsCompleted,
        latestEpoch, Optional.of(cv), modelId, failure, requestId);
  }

  TrainingJobRecord withModel(String model) {
    return new TrainingJobRecord(
        id, displayName, spec, state, createTime, startTime, endTime, epochsCompleted,
        latestEpoch, crossValidation, Optional.of(model), failure, requestId);
  }

  TrainingJobRecord withFailure(JobFailure why) {
    return new TrainingJobRecord(
        id, displayName, spec, state, createTime, startTime, endTime, epochsCompleted,
        latestEpoch, crossValidation, modelId, Optional.of(why), requestId);
  }
}
