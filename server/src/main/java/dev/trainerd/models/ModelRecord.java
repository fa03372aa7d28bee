package dev.trainerd.models;

import dev.trainerd.jobs.CrossValidationSummary;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.ml.TrainedModel;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored model: the engine's trained parameters plus what is needed to use it on raw data
 * (preprocessing, class names, the id column) and to trust it (provenance).
 *
 * @param id short URL-safe id; the resource name is {@code models/{id}}
 * @param displayName the training job's name
 * @param jobId the job that trained it
 * @param spec the job spec, defaults resolved
 * @param trained spec, shapes, parameters and per-epoch history from the engine
 * @param crossValidation the K-fold summary of K-fold jobs
 * @param provenance data hashes, seed and versions
 * @param preprocessorJson the fitted tabular preprocessing (empty for dense data such as images)
 * @param classNames class names by index (classification)
 * @param featureNames input names after preprocessing (tabular data)
 * @param idColumn the id column of tabular training data, empty if none
 * @param labelColumn the label column's name, or {@code prediction}
 * @param createTime when it was saved
 */
public record ModelRecord(
    String id,
    String displayName,
    String jobId,
    JobSpec spec,
    TrainedModel trained,
    Optional<CrossValidationSummary> crossValidation,
    Provenance provenance,
    Optional<String> preprocessorJson,
    List<String> classNames,
    List<String> featureNames,
    String idColumn,
    String labelColumn,
    Instant createTime) {

  public ModelRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(trained, "trained");
    classNames = List.copyOf(classNames);
    featureNames = List.copyOf(featureNames);
  }
}
