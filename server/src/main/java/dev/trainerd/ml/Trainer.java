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
   * Trains a model on fixed examples.
   *
   * @param evaluation examples measured after each epoch (test or validation set), if any
   * @throws TrainingCancelledException when {@code cancel} fired
   */
  default TrainedModel train(
      TrainingSpec spec,
      Examples train,
      Optional<Examples> evaluation,
      TrainingListener listener,
      CancellationSignal cancel) {
    return train(spec, train, Optional.empty(), evaluation, listener, cancel);
  }

  /**
   * Trains a model; with an augmentation, every epoch trains on that epoch's freshly drawn
   * features (seeded by the spec's seed and the epoch), while the final training metrics and
   * everything else use the deterministic {@code train} features.
   *
   * @param augmentation per-epoch features of the rows of {@code train}, if any
   * @param evaluation examples measured after each epoch (test or validation set), if any
   * @throws TrainingCancelledException when {@code cancel} fired
   */
  TrainedModel train(
      TrainingSpec spec,
      Examples train,
      Optional<EpochAugmentation> augmentation,
      Optional<Examples> evaluation,
      TrainingListener listener,
      CancellationSignal cancel);

  /**
   * K-fold cross-validation on fixed examples: trains one model per fold on the other folds and
   * validates it on the held-out fold; the listener sees every fold's epochs with {@code fold}
   * set.
   */
  default CrossValidationResult crossValidate(
      TrainingSpec spec,
      Examples examples,
      Folds folds,
      TrainingListener listener,
      CancellationSignal cancel) {
    return crossValidate(spec, examples, Optional.empty(), folds, listener, cancel);
  }

  /**
   * K-fold cross-validation; with an augmentation, each fold's model trains on augmented
   * features of its training folds only and is validated on the deterministic features of the
   * held-out fold. The folds may train side by side: then every fold's epoch e arrives before
   * any fold's epoch e + 1, and each epoch's duration is the fold's share of the joint epoch.
   *
   * @param augmentation per-epoch features of the rows of {@code examples}, if any
   */
  CrossValidationResult crossValidate(
      TrainingSpec spec,
      Examples examples,
      Optional<EpochAugmentation> augmentation,
      Folds folds,
      TrainingListener listener,
      CancellationSignal cancel);

  /**
   * About how many bytes outside the Java heap a job of this spec and shape needs at its peak
   * (resident data, parameters with their optimiser state, activations, measurement), so that a
   * job the machine cannot hold is refused before it starts instead of failing, or taking the
   * process down, while it allocates. An estimate on the safe side, not a bound.
   */
  long memoryEstimate(TrainingSpec spec, JobShape shape);

  /** A forward-only predictor with {@code model}'s parameters. Close it. */
  Predictor predictor(TrainedModel model);

  /**
   * Writes {@code model} as a TensorFlow SavedModel into {@code directory} (which must not exist
   * or be empty): tag {@code serve}, signature {@code serving_default} with input {@code features}
   * (float {@code [batch, featureCount]}) and output {@code outputs} (as {@link Predictor#predict}).
   */
  void exportSavedModel(TrainedModel model, Path directory);

  /**
   * Pays the backend's one-time costs ahead of the first job: loading it, and whatever its first
   * training in the process costs beyond later ones. Safe to call at any time, from any thread;
   * the default only loads the backend.
   */
  default void warmUp() {
    backendVersion();
  }

  /**
   * Hands memory that the backend's native allocator keeps, but no longer uses, back to the
   * operating system, after the Java objects that owned native memory were collected. For a
   * server about to idle (after its warm-up); it costs milliseconds. Returns whether the backend
   * could do it; the default cannot.
   */
  default boolean releaseUnusedMemory() {
    return false;
  }

  /** The backend and its version, recorded with every model (for example {@code TensorFlow 2.18.0}). */
  String backendVersion();

  /**
   * Whether the installed backend is its GPU build, which uses a GPU when the machine offers one
   * it can load (for TensorFlow: CUDA 12 and cuDNN 9). A GPU build that sees none trains on the
   * CPU, which an operator who deployed it wants to hear about.
   */
  default boolean gpuBuild() {
    return false;
  }

  /**
   * The device a job asking for {@code requested} trains on in this process: AUTO becomes GPU
   * when one is visible, else CPU. Asking for a GPU where none is visible fails with
   * FAILED_PRECONDITION.
   */
  Device resolveDevice(Device requested);

  /**
   * The device a model of {@code spec} trained on {@code train} uses in this process: as {@link
   * #resolveDevice(Device)}, except that a backend may keep AUTO on the CPU for a model too small
   * to gain from its GPU.
   */
  default Device resolveDevice(TrainingSpec spec, Examples train) {
    return resolveDevice(spec.device());
  }
}
