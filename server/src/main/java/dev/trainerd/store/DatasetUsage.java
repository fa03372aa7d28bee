package dev.trainerd.store;

import java.util.Optional;

/**
 * Tells the dataset store whether something still needs a dataset, so that deleting it must be
 * refused. The jobs layer implements it (queued and running jobs that read the dataset).
 */
@FunctionalInterface
public interface DatasetUsage {

  /** Nothing uses any dataset. */
  DatasetUsage NONE = id -> Optional.empty();

  /**
   * Who uses the dataset, as a short phrase for the error message (for example {@code
   * "trainingJobs/abc (RUNNING)"}), or empty when it may be deleted.
   */
  Optional<String> usedBy(String datasetId);
}
