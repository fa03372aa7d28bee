package dev.trainerd.ml.tf;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.Splits;
import dev.trainerd.ml.Trainer;
import dev.trainerd.ml.Threads;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingCancelledException;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The TensorFlow Java implementation of {@link Trainer}: graph mode, one graph and session per
 * job, data resident in TensorFlow memory, shuffled index batches gathered in the graph, and
 * {@code stepsPerRun} minibatch steps unrolled into each {@code session.run}.
 */
public final class TfTrainer implements Trainer {

  /** Steps per run used by {@link #TfTrainer()}: measured best on Fashion-MNIST (see the bench). */
  public static final int DEFAULT_STEPS_PER_RUN = 8;

  /** Column groups per wide layer product used by {@link #TfTrainer()} (see the bench). */
  public static final int DEFAULT_PRODUCT_SPLITS = 2;

  private final int stepsPerRun;
  private final int productSplits;

  /** A trainer with {@link #DEFAULT_STEPS_PER_RUN} and {@link #DEFAULT_PRODUCT_SPLITS}. */
  public TfTrainer() {
    this(DEFAULT_STEPS_PER_RUN, DEFAULT_PRODUCT_SPLITS);
  }

  /** A trainer with {@code stepsPerRun} and {@link #DEFAULT_PRODUCT_SPLITS}. */
  public TfTrainer(int stepsPerRun) {
    this(stepsPerRun, DEFAULT_PRODUCT_SPLITS);
  }

  /**
   * @param stepsPerRun full-size minibatch steps chained in one session run (1 = one run per
   *     step); the metrics are identical for every value, only speed differs
   * @param productSplits column groups each wide layer's matrix product is split into so both
   *     cores work on it (1 = no split); the same products, so the same results up to float
   *     rounding of the kernels
   */
  public TfTrainer(int stepsPerRun, int productSplits) {
    if (stepsPerRun < 1) {
      throw new IllegalArgumentException("stepsPerRun must be >= 1, was " + stepsPerRun);
    }
    if (productSplits < 1) {
      throw new IllegalArgumentException("productSplits must be >= 1, was " + productSplits);
    }
    this.stepsPerRun = stepsPerRun;
    this.productSplits = productSplits;
  }

  @Override
  public TrainedModel train(
      TrainingSpec spec,
      Examples train,
      Optional<EpochAugmentation> augmentation,
      Optional<Examples> evaluation,
      TrainingListener listener,
      CancellationSignal cancel) {
    check(spec, train, evaluation);
    augmentation.ifPresent(a -> requireSameShape(a, train));
    return trainChecked(
        spec, train, augmentation.orElse(null), evaluation.orElse(null), listener, cancel, OptionalInt.empty());
  }

  /** A mismatch is a caller's bug (the augmentation must describe the training rows), not bad input. */
  private static void requireSameShape(EpochAugmentation augmentation, Examples train) {
    if (augmentation.count() != train.count() || augmentation.featureCount() != train.featureCount()) {
      throw new IllegalArgumentException(
          "augmentation is " + augmentation.count() + " x " + augmentation.featureCount() + " but the training examples are "
              + train.count() + " x " + train.featureCount());
    }
  }

  private static void check(TrainingSpec spec, Examples train, Optional<Examples> evaluation) {
    List<FieldViolation> violations = new ArrayList<>(spec.validate());
    violations.addAll(spec.validateFor(train.featureCount(), train.labels()));
    if (train.count() == 0) {
      violations.add(new FieldViolation("dataset", "has no examples"));
    }
    evaluation.ifPresent(
        e -> {
          if (e.featureCount() != train.featureCount()) {
            violations.add(
                new FieldViolation(
                    "evaluation_dataset",
                    "has " + e.featureCount() + " features, the training set " + train.featureCount()));
          } else if (e.labels().getClass() != train.labels().getClass()) {
            violations.add(new FieldViolation("evaluation_dataset", "has another kind of labels than the training set"));
          } else if (e.count() == 0) {
            violations.add(new FieldViolation("evaluation_dataset", "has no examples"));
          } else if (e.labels() instanceof Examples.Labels.Classes ec
              && train.labels() instanceof Examples.Labels.Classes tc
              && ec.classCount() > tc.classCount()) {
            violations.add(
                new FieldViolation(
                    "evaluation_dataset",
                    "has " + ec.classCount() + " classes, the training set only " + tc.classCount()));
          }
        });
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
  }

  /**
   * Trains on {@code train}, or with {@code augmentation} on each epoch's fresh draw of it: epoch
   * 1's draw becomes the resident training data, and before every later epoch the next draw
   * (prepared in the background while the previous epoch trained) replaces it in one assignment.
   * The epoch's time includes any wait for that draw. After the last epoch the deterministic
   * features return, so the final training metrics measure the same view evaluation sees.
   */
  private TrainedModel trainChecked(
      TrainingSpec spec,
      Examples train,
      EpochAugmentation augmentation,
      Examples evaluation,
      TrainingListener listener,
      CancellationSignal cancel,
      OptionalInt fold) {
    try (EpochFeatures fresh = augmentation == null ? null : new EpochFeatures(augmentation, spec.seed());
        TrainingGraph g =
            new TrainingGraph(
                spec,
                fresh == null ? train : new Examples(train.count(), train.featureCount(), fresh.drawNow(1), train.labels()),
                evaluation,
                stepsPerRun,
                productSplits)) {
      int n = train.count();
      int batch = spec.batchSize();
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      SplittableRandom random = new SplittableRandom(spec.seed());
      boolean regression = !(train.labels() instanceof Examples.Labels.Classes);
      List<EpochMetrics> history = new ArrayList<>();
      long step = 0;
      for (int epoch = 1; epoch <= spec.epochs(); epoch++) {
        Splits.shuffle(order, random);
        long started = System.nanoTime();
        if (fresh != null) {
          if (epoch > 1) {
            g.replaceTrainFeatures(fresh.take(epoch));
          }
          if (epoch < spec.epochs()) {
            fresh.drawAhead(epoch + 1);
          }
        }
        double lossSum = 0;
        double correct = 0;
        int at = 0;
        int blockSize = g.stepsPerRun() * batch;
        while (at < n) {
          if (cancel.isCancelled()) {
            throw new TrainingCancelledException(epoch - 1);
          }
          boolean blocked = g.hasBlock() && n - at >= blockSize;
          int count = blocked ? blockSize : Math.min(batch, n - at);
          double[] r = g.run(order, at, count, step, blocked);
          for (int j = 0; j < r.length; j += 2) {
            lossSum += r[j];
            correct += r[j + 1];
          }
          at += count;
          step += blocked ? g.stepsPerRun() : 1;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        EvaluationMetrics afterTrain = regression ? g.evaluateTrain() : null;
        Optional<EvaluationMetrics> eval =
            evaluation == null ? Optional.empty() : Optional.of(g.evaluateEvaluation());
        EpochMetrics metrics =
            new EpochMetrics(
                epoch,
                fold,
                lossSum / n,
                regression ? Double.NaN : correct / n,
                regression ? afterTrain.rmse() : Double.NaN,
                regression ? afterTrain.logRmse() : Double.NaN,
                eval,
                g.weightNorm(),
                seconds,
                n / seconds);
        history.add(metrics);
        listener.onEpoch(metrics);
      }
      if (fresh != null) {
        g.replaceTrainFeatures(train.features());
      }
      int classCount =
          train.labels() instanceof Examples.Labels.Classes c ? c.classCount() : 0;
      return new TrainedModel(
          spec,
          train.featureCount(),
          g.outputCount(),
          classCount,
          g.parameters(),
          history,
          g.evaluateTrain(),
          evaluation == null ? Optional.empty() : Optional.of(g.evaluateEvaluation()));
    }
  }

  @Override
  public CrossValidationResult crossValidate(
      TrainingSpec spec,
      Examples examples,
      Optional<EpochAugmentation> augmentation,
      Folds folds,
      TrainingListener listener,
      CancellationSignal cancel) {
    List<FieldViolation> violations = new ArrayList<>(folds.validate(examples.count()));
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
    check(spec, examples, Optional.empty());
    augmentation.ifPresent(a -> requireSameShape(a, examples));
    List<TrainedModel> models = new ArrayList<>();
    List<Splits.Split> splits = Splits.kFold(examples.count(), folds);
    for (int i = 0; i < splits.size(); i++) {
      Splits.Split split = splits.get(i);
      models.add(
          trainChecked(
              spec,
              examples.subset(split.train()),
              augmentation.map(a -> a.subset(split.train())).orElse(null),
              examples.subset(split.validation()),
              listener,
              cancel,
              OptionalInt.of(i)));
    }
    List<EvaluationMetrics> trains = new ArrayList<>();
    List<EvaluationMetrics> valids = new ArrayList<>();
    for (TrainedModel m : models) {
      trains.add(m.finalTrain());
      valids.add(m.finalEvaluation().orElseThrow());
    }
    return new CrossValidationResult(models, mean(trains), mean(valids));
  }

  private static EvaluationMetrics mean(List<EvaluationMetrics> all) {
    double loss = 0;
    double acc = 0;
    double rmse = 0;
    double logRmse = 0;
    long count = 0;
    for (EvaluationMetrics m : all) {
      loss += m.loss();
      acc += m.accuracy();
      rmse += m.rmse();
      logRmse += m.logRmse();
      count += m.count();
    }
    int k = all.size();
    return new EvaluationMetrics(count / k, loss / k, acc / k, rmse / k, logRmse / k);
  }

  @Override
  public Predictor predictor(TrainedModel model) {
    return new TfPredictor(model);
  }

  @Override
  public void exportSavedModel(TrainedModel model, Path directory) {
    TfPredictor.export(model, directory);
  }

  @Override
  public String backendVersion() {
    return TfDevices.backendVersion();
  }

  @Override
  public Device resolveDevice(Device requested) {
    if (requested == Device.CPU) {
      return Device.CPU;
    }
    if (TfDevices.gpuCount() > 0) {
      return Device.GPU;
    }
    if (requested == Device.GPU) {
      throw new TrainerdException.FailedPrecondition(
          "GPU_UNAVAILABLE", "this server has no GPU that TensorFlow can use; ask for device CPU or AUTO");
    }
    return Device.CPU;
  }
}
