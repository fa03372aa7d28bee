package dev.trainerd.ml;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The training port: the jobs layer trains, cross-validates, predicts and exports through it and
 * never sees the backend. Implementations validate the spec against the data first and throw
 * {@link dev.trainerd.errors.TrainerdException.InvalidArgument} with field violations.
 */
public interface Trainer {

  /**
   * Trains a model.
   *
   * @param evaluation examples measured after each epoch (test or validation set), if any
   * @throws TrainingCancelledException when {@code cancel} fired
   */
  TrainedModel train(
      TrainingSpec spec,
      Examples train,
      Optional<Examples> evaluation,
      TrainingListener listener,
      CancellationSignal cancel);

  /**
   * K-fold cross-validation: trains one model per fold on the other folds and validates it on
   * the held-out fold; the listener sees every fold's epochs with {@code fold} set. The folds may
   * train side by side: then every fold's epoch e arrives before any fold's epoch e + 1, and each
   * epoch's duration is the fold's share of the joint epoch.
   */
  CrossValidationResult crossValidate(
      TrainingSpec spec,
      Examples examples,
      Folds folds,
      TrainingListener listener,
      CancellationSignal cancel);

  /** A forward-only predictor with {@code model}'s parameters. Close it. */
  Predictor predictor(TrainedModel model);

  /**
   * Writes {@code model} as a TensorFlow SavedModel into {@code directory} (which must not exist
   * or be empty): tag {@code serve}, signature {@code serving_default} with input {@code features}
   * (float {@code [batch, featureCount]}) and output {@code outputs} (as {@link Predictor#predict}).
   */
  void exportSavedModel(TrainedModel model, Path directory);

  /** The backend and its version, recorded with every model (for example {@code TensorFlow 2.18.0}). */
  String backendVersion();

  /**
   * The device a job asking for {@code requested} trains on in this process: AUTO becomes GPU
   * when one is visible, else CPU. Asking for a GPU where none is visible fails with
   * FAILED_PRECONDITION.
   */
  Device resolveDevice(Device requested);
}
