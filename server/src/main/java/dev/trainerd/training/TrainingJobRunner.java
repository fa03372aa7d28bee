package dev.trainerd.training;

import dev.trainerd.data.PreparedData;
import dev.trainerd.data.prep.Preprocessor;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.jobs.CrossValidationSummary;
import dev.trainerd.jobs.FoldResult;
import dev.trainerd.jobs.JobRunner;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.jobs.TrainingJobRecord;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.models.ModelRecord;
import dev.trainerd.models.ModelService;
import dev.trainerd.models.Provenance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs one job: prepares its data, trains with the engine (cross-validating first for K-fold
 * jobs, then training the final model on every example as the book's {@code train_and_pred}
 * does), and saves the model with its provenance.
 */
public final class TrainingJobRunner implements JobRunner {
  private final JobData data;
  private final ModelService models;
  private final Trainer trainer;
  private final Supplier<String> ids;
  private final Clock clock;
  private final Threads serverThreads;
  private final String trainerdVersion;

  /**
   * @param serverThreads thread counts used where a job asks for 0 (the server's setting)
   */
  public TrainingJobRunner(
      JobData data,
      ModelService models,
      Trainer trainer,
      Supplier<String> ids,
      Clock clock,
      Threads serverThreads,
      String trainerdVersion) {
    this.data = data;
    this.models = models;
    this.trainer = trainer;
    this.ids = ids;
    this.clock = clock;
    this.serverThreads = serverThreads;
    this.trainerdVersion = trainerdVersion;
  }

  @Override
  public void discard(String modelId) {
    models.delete(modelId);
  }

  @Override
  public String run(TrainingJobRecord job, Progress progress, CancellationSignal cancel) {
    JobSpec spec = job.spec();
    JobData.JobInputs inputs = data.prepare(spec);
    TrainingListener listener = progress.asTrainingListener();
    PreparedData prepared = inputs.data();
    TrainingSpec training = effectiveSpec(spec);
    Examples all = prepared.train();

    Optional<CrossValidationSummary> cv = Optional.empty();
    TrainedModel model;
    Examples finalTrain = all;
    SplitSpec split = spec.split();
    if (split instanceof SplitSpec.KFold k) {
      if (k.folds() > all.count()) {
        throw TrainerdException.InvalidArgument.of(
            "spec.split.k_fold.folds",
            "must not exceed the data set's " + all.count() + " examples, was " + k.folds());
      }
      CrossValidationResult result =
          trainer.crossValidate(
              training,
              all,
              prepared.trainAugmentation(),
              new Folds(k.folds(), k.shuffle(), training.seed()),
              listener,
              cancel);
      List<FoldResult> folds = new ArrayList<>();
      for (int i = 0; i < result.folds().size(); i++) {
        TrainedModel fold = result.folds().get(i);
        FoldResult fr =
            new FoldResult(i + 1, fold.finalTrain(), fold.finalEvaluation().orElseThrow());
        folds.add(fr);
        progress.fold(fr);
      }
      CrossValidationSummary summary =
          new CrossValidationSummary(folds, result.meanTrain(), result.meanValidation());
      progress.crossValidation(summary);
      cv = Optional.of(summary);
      model = trainer.train(training, all, prepared.trainAugmentation(), Optional.empty(), listener, cancel);
    } else {
      Examples trainOn = inputs.holdout().map(h -> all.subset(h.train())).orElse(all);
      finalTrain = trainOn;
      // Holdout: only the training part is augmented; validation rows keep their deterministic view.
      Optional<EpochAugmentation> augmentOn =
          inputs.holdout().isPresent()
              ? prepared.trainAugmentation().map(a -> a.subset(inputs.holdout().get().train()))
              : prepared.trainAugmentation();
      model = trainer.train(training, trainOn, augmentOn, inputs.evaluation(), listener, cancel);
    }

    String modelId = ids.get();
    ModelRecord record =
        new ModelRecord(
            modelId,
            job.displayName(),
            job.id(),
            spec,
            model,
            cv,
            new Provenance(
                spec.datasetId(),
                data.sha256(spec.datasetId()),
                split instanceof SplitSpec.TestDataset t
                    ? Optional.of(data.sha256(t.datasetId()))
                    : Optional.empty(),
                training.seed(),
                trainerdVersion,
                trainer.backendVersion(),
                System.getProperty("java.version"),
                trainer.resolveDevice(training, finalTrain)),
            prepared.preprocessor().map(Preprocessor::toJson),
            prepared.classNames(),
            prepared.featureNames(),
            prepared.idColumn(),
            prepared.labelColumn().isEmpty() ? "prediction" : prepared.labelColumn(),
            clock.instant());
    models.save(record);
    return modelId;
  }

  /** The job's spec with the server's thread settings and a warm start's parameters filled in. */
  private TrainingSpec effectiveSpec(JobSpec spec) {
    TrainingSpec t = spec.training();
    Threads threads =
        new Threads(
            t.threads().intraOp() == 0 ? serverThreads.intraOp() : t.threads().intraOp(),
            t.threads().interOp() == 0 ? serverThreads.interOp() : t.threads().interOp());
    Initializer initializer = t.initializer();
    if (spec.warmStartModelId().isPresent()) {
      String from = spec.warmStartModelId().get();
      ModelRecord source;
      try {
        source = models.get(from);
      } catch (TrainerdException.NotFound e) {
        throw new TrainerdException.FailedPrecondition(
            "WARM_START_MODEL_GONE", "models/" + from + " was deleted before the job started");
      }
      initializer = new Initializer.Load(source.trained().parameters());
    }
    return t.toBuilder().initializer(initializer).threads(threads).build();
  }
}
